"""The vocabulary and the planted effects of the sample CRM.

Everything the generator draws from lives here as small arrays indexed by integer codes, so
the generator can pick codes with numpy and map them through these tables. The multipliers
are the "truth" the analyses are meant to rediscover: change them here and the tests in
``tests/data/test_sample.py`` say which effect got lost.
"""

from __future__ import annotations

import numpy as np

STAGES = ("Prospecting", "Qualification", "Proposal", "Negotiation", "Closed Won", "Closed Lost")
OPEN_STAGES = 4  # the first four stages are open; their order is the progress of the deal
WON, LOST = 4, 5

# --- geography -------------------------------------------------------------------------------
REGIONS = ("North America", "EMEA", "APAC", "LATAM")
REGION_SHARE = np.array([0.45, 0.30, 0.15, 0.10])

# (country, share within its region); flattened below into codes.
_COUNTRIES = {
    "North America": (("United States", 0.86), ("Canada", 0.14)),
    "EMEA": (("United Kingdom", 0.26), ("Germany", 0.22), ("France", 0.16), ("Netherlands", 0.10),
             ("Sweden", 0.07), ("Spain", 0.08), ("United Arab Emirates", 0.05),
             ("South Africa", 0.06)),
    "APAC": (("Australia", 0.30), ("Japan", 0.25), ("Singapore", 0.15), ("India", 0.30)),
    "LATAM": (("Brazil", 0.45), ("Mexico", 0.30), ("Argentina", 0.10), ("Chile", 0.08),
              ("Colombia", 0.07)),
}
COUNTRIES = tuple(name for region in REGIONS for name, _ in _COUNTRIES[region])
COUNTRY_REGION = np.array([r for r, region in enumerate(REGIONS) for _ in _COUNTRIES[region]])
COUNTRY_SHARE = np.array([share for region in REGIONS for _, share in _COUNTRIES[region]])

# --- accounts --------------------------------------------------------------------------------
# Multipliers: win rate, deal size, revenue per employee (thousands of currency units).
INDUSTRIES = ("Software", "Financial Services", "Healthcare", "Manufacturing", "Retail",
              "Education", "Telecommunications", "Energy")
INDUSTRY_SHARE = np.array([0.20, 0.15, 0.13, 0.15, 0.12, 0.08, 0.08, 0.09])
INDUSTRY_WIN = np.array([1.18, 0.95, 0.85, 1.05, 0.88, 1.10, 0.80, 0.92])
INDUSTRY_SIZE = np.array([1.00, 1.45, 1.20, 0.95, 0.75, 0.55, 1.30, 1.25])
INDUSTRY_REV_PER_EMPLOYEE = np.array([260.0, 420.0, 180.0, 230.0, 150.0, 90.0, 380.0, 520.0])

# Head count is log-normal: log10(employees) ~ N(2.3, 0.85) gives roughly half the accounts
# under 200 people and an eighth above 2,000, with a long tail of giants.
EMPLOYEES_LOG10_MEAN, EMPLOYEES_LOG10_SD = 2.3, 0.85
EMPLOYEES_MAX = 400_000
# Size bands decide the team that sells to an account.
TEAMS = ("SMB", "Mid-Market", "Enterprise")
TEAM_EMPLOYEE_FLOOR = np.array([0, 200, 2000])
# Bigger accounts buy more often: deal propensity grows with head count ** this.
DEAL_PROPENSITY_EXPONENT = 0.45

# --- teams -----------------------------------------------------------------------------------
TEAM_WIN = np.array([0.31, 0.25, 0.19])  # base win rate before the other multipliers
TEAM_DEAL_SIZE = np.array([9_000.0, 38_000.0, 165_000.0])  # median list price, core product
TEAM_CYCLE_DAYS = np.array([32.0, 68.0, 125.0])  # mean days from creation to close
TEAM_DISCOUNT = np.array([0.05, 0.10, 0.16])  # mean discount of discounted deals
TEAM_DEALS_PER_REP = np.array([1.25, 1.0, 0.6])  # relative deal load of one rep
# Deal size grows with the account's head count relative to the team's typical account.
TEAM_TYPICAL_EMPLOYEES = np.array([60.0, 600.0, 6000.0])
DEAL_SIZE_EMPLOYEE_EXPONENT = 0.25
DEAL_SIZE_LOG_SD = 0.5

# --- deals -----------------------------------------------------------------------------------
PRODUCT_LINES = ("Core Platform", "Analytics", "Integrations", "Services")
PRODUCT_SHARE = np.array([0.42, 0.25, 0.18, 0.15])
PRODUCT_WIN = np.array([1.00, 0.92, 1.12, 1.05])
PRODUCT_SIZE = np.array([1.00, 0.60, 0.35, 0.45])

LEAD_SOURCES = ("Inbound", "Outbound", "Partner", "Event", "Referral")
LEAD_SOURCE_SHARE = np.array([0.34, 0.30, 0.14, 0.12, 0.10])
LEAD_SOURCE_WIN = np.array([1.10, 0.68, 1.22, 0.88, 1.45])
LEAD_SOURCE_SIZE = np.array([0.85, 1.05, 1.30, 0.95, 1.10])

REP_SKILL_SD = 0.10  # log-sd of the ordinary spread of reps' win-rate multipliers
UNDERPERFORMER_WIN = 0.35  # planted underperformers win this fraction of what peers win
UNDERPERFORMERS_MAX = 6
OWNER_SHARE = 0.85  # share of deals owned by the account owner; the rest by a cell colleague

# Sellers pull deals into the last month of the quarter: this share of closes that would land
# in the quarter's first two months moves to its last month (won deals are pushed harder).
QUARTER_END_PULL_WON = 0.40
QUARTER_END_PULL_LOST = 0.20
ZERO_DISCOUNT_SHARE = 0.25
MAX_DISCOUNT = 0.5
CREATED_GROWTH = 0.35  # deal creation grows ~35% from the first to the last day of history

# --- names -----------------------------------------------------------------------------------
COMPANY_PREFIXES = (
    "Apex", "Blue", "Bright", "Cedar", "Clear", "Coastal", "Copper", "Crest", "Delta", "Eagle",
    "Ember", "Evergreen", "First", "Forge", "Granite", "Green", "Harbor", "Highland", "Horizon",
    "Iron", "Juniper", "Keystone", "Lake", "Liberty", "Lumen", "Maple", "Meridian", "Metro",
    "Midland", "Nimbus", "North", "Nova", "Oak", "Orion", "Pacific", "Peak", "Pine", "Pioneer",
    "Prairie", "Quantum", "Red", "Ridge", "River", "Rock", "Sage", "Silver", "Sky", "Solar",
    "Stone", "Summit", "Sun", "Terra", "Tide", "Titan", "Union", "United", "Valley", "Vector",
    "Vertex", "West", "Willow", "Wind", "Zenith", "Atlas",
)
COMPANY_CORES = (
    "Analytics", "Bio", "Brands", "Capital", "Care", "Chemicals", "Cloud", "Communications",
    "Consulting", "Data", "Devices", "Digital", "Dynamics", "Electric", "Energy", "Engineering",
    "Fabrication", "Farms", "Finance", "Foods", "Freight", "Games", "Health", "Industries",
    "Insurance", "Labs", "Learning", "Logistics", "Machines", "Media", "Medical", "Metals",
    "Mining", "Motors", "Networks", "Optics", "Outfitters", "Packaging", "Pharma", "Plastics",
    "Power", "Retail", "Robotics", "Security", "Semiconductors", "Software", "Solutions",
    "Steel", "Supply", "Systems", "Telecom", "Textiles", "Tools", "Transport", "Travel",
    "Trust", "Utilities", "Ventures", "Vision", "Wellness", "Wireless", "Works", "Apparel",
    "Aerospace",
)
COMPANY_SUFFIXES = (
    "Inc.", "LLC", "Ltd", "GmbH", "S.A.", "Group", "Holdings", "Corp.", "Co.", "Partners", "AG",
    "B.V.", "plc", "SAS", "Pty Ltd", "International",
)
FIRST_NAMES = (
    "Aisha", "Alex", "Amelia", "Ana", "Ben", "Carla", "Chen", "Daniel", "Diego", "Elena",
    "Emma", "Fatima", "Felix", "Grace", "Hana", "Hugo", "Isabel", "Ivan", "James", "Jin",
    "Julia", "Kenji", "Laura", "Leo", "Lucas", "Maya", "Mei", "Mohammed", "Nadia", "Noah",
    "Olivia", "Omar", "Priya", "Rafael", "Sara", "Sofia", "Tom", "Valentina", "Wei", "Zoe",
)
LAST_NAMES = (
    "Adams", "Alvarez", "Becker", "Brown", "Campbell", "Chen", "Costa", "Dubois", "Evans",
    "Fischer", "Garcia", "Gupta", "Hansen", "Hernandez", "Ito", "Jansen", "Kim", "Kowalski",
    "Larsen", "Lopez", "Martin", "Meyer", "Moreau", "Nakamura", "Nguyen", "Novak", "Okafor",
    "Patel", "Petrov", "Rossi", "Santos", "Schmidt", "Silva", "Singh", "Smith", "Tanaka",
    "Taylor", "Wagner", "Williams", "Yilmaz",
)

# --- messy data: other spellings of the same value, as they arrive from hand-typed CRMs ---
# Lower case and a trailing blank are added for every value; these are the extra ones.
SPELLINGS = {
    "region": {
        "North America": ("N. America", "NORTH AMERICA", "North america"),
        "EMEA": ("E.M.E.A.", "Emea ", "emea"),
        "APAC": ("A.P.A.C.", "Apac", "Asia Pacific"),
        "LATAM": ("LatAm", "Latin America", "Latam "),
    },
    "industry": {
        "Financial Services": ("Fin. Services", "FinServ", "Financial Svcs"),
        "Healthcare": ("Health Care", "HealthCare"),
        "Telecommunications": ("Telecom", "Telco"),
        "Manufacturing": ("Mfg", "Manufacture"),
        "Software": ("SOFTWARE", "Software "),
    },
    "lead_source": {
        "Referral": ("Referal", "Customer Referral"),
        "Event": ("Events", "Trade Show"),
        "Outbound": ("Out-bound", "Outbound - SDR"),
        "Inbound": ("Web", "Inbound "),
    },
    "country": {
        "United States": ("USA", "US", "U.S.", "United States of America"),
        "United Kingdom": ("UK", "U.K.", "Great Britain"),
        "Germany": ("Deutschland", "DE"),
        "United Arab Emirates": ("UAE", "U.A.E."),
    },
}
MESSY_SPELLING_SHARE = 0.06  # share of the rows of each column above with another spelling
# Share of rows with a missing value, per column of the opportunities table.
MESSY_MISSING = {
    "lead_source": 0.04,
    "industry": 0.03,
    "country": 0.02,
    "employees": 0.05,
    "annual_revenue": 0.05,
    "discount": 0.06,
    "amount": 0.01,
    "account_name": 0.01,
}
MESSY_DUPLICATE_SHARE = 0.015  # rows replaced by a copy of another row (same opportunity_id)
MESSY_CURRENCY_SHARE = 0.05  # amounts written as "$1,200.50"; the rest as "1200.50"
