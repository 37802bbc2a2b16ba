"""Countries by name: exports name a country by its ISO 3166-1 code (Shopify's Shipping Country: GB)
or in words (UCI Online Retail's Country: United Kingdom, EIRE). A marketer reads "United Kingdom
(GB)" more easily than "GB", and a plan says "customers in the UK" either way: the facts give each
country's English name and code, and a claim about a country is matched by both."""

from __future__ import annotations

import re
from dataclasses import dataclass

# ISO 3166-1 alpha-2 codes and their short English names (XK, Kosovo, is user-assigned but common)
ISO_NAMES = {
    "AD": "Andorra",
    "AE": "United Arab Emirates",
    "AF": "Afghanistan",
    "AG": "Antigua and Barbuda",
    "AI": "Anguilla",
    "AL": "Albania",
    "AM": "Armenia",
    "AO": "Angola",
    "AQ": "Antarctica",
    "AR": "Argentina",
    "AS": "American Samoa",
    "AT": "Austria",
    "AU": "Australia",
    "AW": "Aruba",
    "AX": "Åland Islands",
    "AZ": "Azerbaijan",
    "BA": "Bosnia and Herzegovina",
    "BB": "Barbados",
    "BD": "Bangladesh",
    "BE": "Belgium",
    "BF": "Burkina Faso",
    "BG": "Bulgaria",
    "BH": "Bahrain",
    "BI": "Burundi",
    "BJ": "Benin",
    "BL": "Saint Barthélemy",
    "BM": "Bermuda",
    "BN": "Brunei",
    "BO": "Bolivia",
    "BQ": "Caribbean Netherlands",
    "BR": "Brazil",
    "BS": "Bahamas",
    "BT": "Bhutan",
    "BV": "Bouvet Island",
    "BW": "Botswana",
    "BY": "Belarus",
    "BZ": "Belize",
    "CA": "Canada",
    "CC": "Cocos (Keeling) Islands",
    "CD": "Democratic Republic of the Congo",
    "CF": "Central African Republic",
    "CG": "Republic of the Congo",
    "CH": "Switzerland",
    "CI": "Côte d'Ivoire",
    "CK": "Cook Islands",
    "CL": "Chile",
    "CM": "Cameroon",
    "CN": "China",
    "CO": "Colombia",
    "CR": "Costa Rica",
    "CU": "Cuba",
    "CV": "Cape Verde",
    "CW": "Curaçao",
    "CX": "Christmas Island",
    "CY": "Cyprus",
    "CZ": "Czechia",
    "DE": "Germany",
    "DJ": "Djibouti",
    "DK": "Denmark",
    "DM": "Dominica",
    "DO": "Dominican Republic",
    "DZ": "Algeria",
    "EC": "Ecuador",
    "EE": "Estonia",
    "EG": "Egypt",
    "EH": "Western Sahara",
    "ER": "Eritrea",
    "ES": "Spain",
    "ET": "Ethiopia",
    "FI": "Finland",
    "FJ": "Fiji",
    "FK": "Falkland Islands",
    "FM": "Micronesia",
    "FO": "Faroe Islands",
    "FR": "France",
    "GA": "Gabon",
    "GB": "United Kingdom",
    "GD": "Grenada",
    "GE": "Georgia",
    "GF": "French Guiana",
    "GG": "Guernsey",
    "GH": "Ghana",
    "GI": "Gibraltar",
    "GL": "Greenland",
    "GM": "Gambia",
    "GN": "Guinea",
    "GP": "Guadeloupe",
    "GQ": "Equatorial Guinea",
    "GR": "Greece",
    "GS": "South Georgia and the South Sandwich Islands",
    "GT": "Guatemala",
    "GU": "Guam",
    "GW": "Guinea-Bissau",
    "GY": "Guyana",
    "HK": "Hong Kong",
    "HM": "Heard Island and McDonald Islands",
    "HN": "Honduras",
    "HR": "Croatia",
    "HT": "Haiti",
    "HU": "Hungary",
    "ID": "Indonesia",
    "IE": "Ireland",
    "IL": "Israel",
    "IM": "Isle of Man",
    "IN": "India",
    "IO": "British Indian Ocean Territory",
    "IQ": "Iraq",
    "IR": "Iran",
    "IS": "Iceland",
    "IT": "Italy",
    "JE": "Jersey",
    "JM": "Jamaica",
    "JO": "Jordan",
    "JP": "Japan",
    "KE": "Kenya",
    "KG": "Kyrgyzstan",
    "KH": "Cambodia",
    "KI": "Kiribati",
    "KM": "Comoros",
    "KN": "Saint Kitts and Nevis",
    "KP": "North Korea",
    "KR": "South Korea",
    "KW": "Kuwait",
    "KY": "Cayman Islands",
    "KZ": "Kazakhstan",
    "LA": "Laos",
    "LB": "Lebanon",
    "LC": "Saint Lucia",
    "LI": "Liechtenstein",
    "LK": "Sri Lanka",
    "LR": "Liberia",
    "LS": "Lesotho",
    "LT": "Lithuania",
    "LU": "Luxembourg",
    "LV": "Latvia",
    "LY": "Libya",
    "MA": "Morocco",
    "MC": "Monaco",
    "MD": "Moldova",
    "ME": "Montenegro",
    "MF": "Saint Martin",
    "MG": "Madagascar",
    "MH": "Marshall Islands",
    "MK": "North Macedonia",
    "ML": "Mali",
    "MM": "Myanmar",
    "MN": "Mongolia",
    "MO": "Macao",
    "MP": "Northern Mariana Islands",
    "MQ": "Martinique",
    "MR": "Mauritania",
    "MS": "Montserrat",
    "MT": "Malta",
    "MU": "Mauritius",
    "MV": "Maldives",
    "MW": "Malawi",
    "MX": "Mexico",
    "MY": "Malaysia",
    "MZ": "Mozambique",
    "NA": "Namibia",
    "NC": "New Caledonia",
    "NE": "Niger",
    "NF": "Norfolk Island",
    "NG": "Nigeria",
    "NI": "Nicaragua",
    "NL": "Netherlands",
    "NO": "Norway",
    "NP": "Nepal",
    "NR": "Nauru",
    "NU": "Niue",
    "NZ": "New Zealand",
    "OM": "Oman",
    "PA": "Panama",
    "PE": "Peru",
    "PF": "French Polynesia",
    "PG": "Papua New Guinea",
    "PH": "Philippines",
    "PK": "Pakistan",
    "PL": "Poland",
    "PM": "Saint Pierre and Miquelon",
    "PN": "Pitcairn Islands",
    "PR": "Puerto Rico",
    "PS": "Palestine",
    "PT": "Portugal",
    "PW": "Palau",
    "PY": "Paraguay",
    "QA": "Qatar",
    "RE": "Réunion",
    "RO": "Romania",
    "RS": "Serbia",
    "RU": "Russia",
    "RW": "Rwanda",
    "SA": "Saudi Arabia",
    "SB": "Solomon Islands",
    "SC": "Seychelles",
    "SD": "Sudan",
    "SE": "Sweden",
    "SG": "Singapore",
    "SH": "Saint Helena",
    "SI": "Slovenia",
    "SJ": "Svalbard and Jan Mayen",
    "SK": "Slovakia",
    "SL": "Sierra Leone",
    "SM": "San Marino",
    "SN": "Senegal",
    "SO": "Somalia",
    "SR": "Suriname",
    "SS": "South Sudan",
    "ST": "São Tomé and Príncipe",
    "SV": "El Salvador",
    "SX": "Sint Maarten",
    "SY": "Syria",
    "SZ": "Eswatini",
    "TC": "Turks and Caicos Islands",
    "TD": "Chad",
    "TF": "French Southern Territories",
    "TG": "Togo",
    "TH": "Thailand",
    "TJ": "Tajikistan",
    "TK": "Tokelau",
    "TL": "Timor-Leste",
    "TM": "Turkmenistan",
    "TN": "Tunisia",
    "TO": "Tonga",
    "TR": "Turkey",
    "TT": "Trinidad and Tobago",
    "TV": "Tuvalu",
    "TW": "Taiwan",
    "TZ": "Tanzania",
    "UA": "Ukraine",
    "UG": "Uganda",
    "UM": "United States Minor Outlying Islands",
    "US": "United States",
    "UY": "Uruguay",
    "UZ": "Uzbekistan",
    "VA": "Vatican City",
    "VC": "Saint Vincent and the Grenadines",
    "VE": "Venezuela",
    "VG": "British Virgin Islands",
    "VI": "United States Virgin Islands",
    "VN": "Vietnam",
    "VU": "Vanuatu",
    "WF": "Wallis and Futuna",
    "WS": "Samoa",
    "XK": "Kosovo",
    "YE": "Yemen",
    "YT": "Mayotte",
    "ZA": "South Africa",
    "ZM": "Zambia",
    "ZW": "Zimbabwe",
}


@dataclass(frozen=True)
class Words:
    """How a country (or a place of several) is written beyond its ISO name and code."""

    names: tuple[str, ...] = ()  # its other names in a plan's words, in any case: 'Great Britain', 'Holland'
    people: tuple[str, ...] = ()  # its people and their adjective, in any case: 'British', 'Dutch'
    capitals: tuple[str, ...] = ()  # words read only as written, in capitals: codes ('us' is a pronoun), 'Kiwi' (not the fruit)
    cells: tuple[str, ...] = ()  # other ways an export's country column writes it: 'EIRE', 'RSA'
    in_plans: bool = True  # a plan names it in words: its ISO name is a place in any text, not only where the facts name it


# The one table of the words for countries, by ISO code: what a plan calls a country and its people
# (check.py's place words, country_claims), and how an export writes it (iso_code). A country
# left out is still read by its ISO name wherever the facts name it.
COUNTRIES: dict[str, Words] = {
    "GB": Words(("Great Britain", "Britain", "England", "Scotland", "Wales", "Northern Ireland"), ("British", "English", "Scottish", "Welsh"), ("UK", "U.K."),
                ("UK", "U.K.", "Great Britain", "Britain", "England")),
    "IE": Words(("Eire",), ("Irish",), cells=("EIRE",)),
    "US": Words(("America",), ("American",), ("US", "U.S.", "USA"), ("USA", "U.S.", "U.S.A.", "United States of America", "America")),
    "CA": Words(people=("Canadian",)),
    "AU": Words(people=("Australian",)),
    "NZ": Words(capitals=("Kiwi", "Kiwis")),
    "DE": Words(people=("German",)),
    "FR": Words(people=("French",)),
    "ES": Words(people=("Spanish",)),
    "PT": Words(people=("Portuguese",)),
    "IT": Words(people=("Italian",)),
    "NL": Words(("Holland",), ("Dutch",), cells=("Holland", "The Netherlands")),
    "BE": Words(people=("Belgian",)),
    "LU": Words(),
    "CH": Words(people=("Swiss",)),
    "AT": Words(people=("Austrian",)),
    "DK": Words(people=("Danish",)),
    "SE": Words(people=("Swedish",)),
    "NO": Words(people=("Norwegian",)),
    "FI": Words(people=("Finnish",)),
    "IS": Words(),
    "PL": Words(people=("Polish",)),
    "CZ": Words(("Czech Republic",), cells=("Czech Republic",)),
    "GR": Words(people=("Greek",)),
    "CY": Words(),
    "MT": Words(),
    "JP": Words(people=("Japanese",)),
    "CN": Words(people=("Chinese",)),
    "HK": Words(),
    "SG": Words(),
    "IN": Words(people=("Indian",)),
    "IL": Words(),
    "BR": Words(people=("Brazilian",)),
    "MX": Words(people=("Mexican",)),
    "ZA": Words(cells=("RSA",)),
    "AE": Words(people=("Emirati",), capitals=("UAE",), cells=("UAE",)),
    # read from an export's cells only
    "KR": Words(cells=("Republic of Korea", "Korea"), in_plans=False),
    "RU": Words(cells=("Russian Federation",), in_plans=False),
    "VN": Words(cells=("Viet Nam",), in_plans=False),
    "TR": Words(cells=("Türkiye", "Turkiye"), in_plans=False),
    "SZ": Words(cells=("Swaziland",), in_plans=False),
    "CI": Words(cells=("Ivory Coast",), in_plans=False),
    "MO": Words(cells=("Macau",), in_plans=False),
    "MM": Words(cells=("Burma",), in_plans=False),
    "MK": Words(cells=("Macedonia",), in_plans=False),
    "CV": Words(cells=("Cape Verde", "Cabo Verde"), in_plans=False),
}
# Places a plan names that are several countries, or none with a code of its own
OTHER_PLACES = Words(
    ("Europe", "the EU", "the continent", "Scandinavia", "Asia", "the Middle East", "Latin America", "the Channel Islands", "Channel Islands"),
    ("European", "continental", "Scandinavian", "Nordic"),
    ("EU",),
    in_plans=False,
)
# Other ways exports write a country, read as its code: three-letter and older forms
ALIASES = {cell.upper(): code for code, words in COUNTRIES.items() for cell in words.cells}
_BY_NAME = {name.upper(): code for code, name in ISO_NAMES.items()}


def _words(words: tuple[str, ...] | list[str]) -> str:
    """An alternation of words (a space: any white space), longest first: 'Northern Ireland' before 'Ireland'."""
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


def _other_words(words: Words) -> str:
    parts = [f"(?-i:{_words(words.capitals)})"] if words.capitals else []
    return "|".join(parts + [_words(list(words.names) + list(words.people))] if words.names or words.people else parts)


# The words a plan uses for a country's people or its other names, by code (the name itself is matched apart)
OTHER_WORDS = {code: _other_words(words) for code, words in COUNTRIES.items() if words.names or words.people or words.capitals}


def place_patterns() -> tuple[str, str, str]:
    """(names, people, capitals): regular-expression alternations of the places a plan names in
    words (the countries of COUNTRIES it names, by their ISO and other names; OTHER_PLACES), their
    people, and the words read only in capitals. Names and people are matched in any case."""
    named = [code for code, words in COUNTRIES.items() if words.in_plans]
    names = [ISO_NAMES[code] for code in named] + [n for code in named for n in COUNTRIES[code].names] + list(OTHER_PLACES.names)
    people = [p for code in named for p in COUNTRIES[code].people] + list(OTHER_PLACES.people)
    capitals = [c for code in named for c in COUNTRIES[code].capitals] + list(OTHER_PLACES.capitals)
    return _words(names), _words(people), _words(capitals)


def iso_code(cell: str) -> str | None:
    """The ISO alpha-2 code of a country cell ('GB', 'gb', 'United Kingdom', 'EIRE'); None when
    the cell names no country this table knows ('Channel Islands', 'European Community')."""
    key = " ".join(str(cell).split()).upper()
    if key in ISO_NAMES:
        return key
    return ALIASES.get(key) or _BY_NAME.get(key)


def country_label(cell: str) -> tuple[str, str | None]:
    """(the country's English name, its code) for a cell; an unknown cell stands as written."""
    code = iso_code(cell)
    return (ISO_NAMES[code], code) if code else (" ".join(str(cell).split()), None)


def shown(name: str, code: str | None) -> str:
    """A country as the report writes it: 'United Kingdom (GB)', or the name alone."""
    return f"{name} ({code})" if code and code != name else name


def country_words(name: str, code: str | None) -> str:
    """A regular expression for the words a plan may use for this country: its name, its code
    (capitals only: 'us' is a pronoun) and the other words for it."""
    words = [re.escape(name).replace(r"\ ", r"\s+")]
    if code and code in OTHER_WORDS:
        words.append(OTHER_WORDS[code])
    if code:
        words.append(rf"(?-i:{re.escape(code)})")
    return "|".join(words)
