"""Render layer: charts (PNG) drawn from facts.json and customers.csv."""
