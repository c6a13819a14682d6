"""The canonical tables: column names, kinds, and the aliases CRM exports use for them.

Every table that enters salesops-nb is mapped onto one of these schemas by
:func:`salesops_nb.data.load.load_table`. Templates and domain code only ever see the
canonical names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["id", "text", "category", "number", "integer", "date", "bool"]

__all__ = ["ACCOUNTS", "OPPORTUNITIES", "REPS", "TABLES", "Column", "TableSchema", "normalise_name"]


def normalise_name(name: str) -> str:
    """Reduce a column header to lower snake case for alias matching.

    >>> normalise_name("Opportunity ID")
    'opportunity_id'
    >>> normalise_name("  Close Date (MM/DD) ")
    'close_date_mm_dd'
    """
    text = re.sub(r"[^0-9a-zA-Z]+", "_", str(name).strip()).strip("_")
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text)  # camelCase -> camel_case
    return text.lower()


@dataclass(frozen=True)
class Column:
    """One canonical column.

    ``aliases`` are header spellings from common CRM exports (Salesforce reports and Data
    Loader, HubSpot deal exports); they are compared after :func:`normalise_name`.
    """

    name: str
    kind: Kind
    required: bool = False
    description: str = ""
    aliases: tuple[str, ...] = ()

    def matches(self, header: str) -> bool:
        key = normalise_name(header)
        return key == self.name or key in {normalise_name(a) for a in self.aliases}


@dataclass(frozen=True)
class TableSchema:
    """A canonical table: its name, columns, and the column that identifies a row."""

    name: str
    key: str
    columns: tuple[Column, ...] = field(default_factory=tuple)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


OPPORTUNITIES = TableSchema(
    name="opportunities",
    key="opportunity_id",
    columns=(
        Column(
            "opportunity_id",
            "id",
            True,
            "Unique id of the deal",
            (
                "Opportunity ID",
                "Opportunity Id",
                "Id",
                "Deal ID",
                "Record ID",
                "hs_object_id",
                "opp_id",
                "deal_id",
            ),
        ),
        Column(
            "opportunity_name",
            "text",
            False,
            "Name of the deal",
            ("Opportunity Name", "Name", "Deal Name", "dealname"),
        ),
        Column(
            "account_id",
            "id",
            False,
            "Account the deal belongs to",
            ("Account ID", "AccountId", "Company ID", "Associated Company ID"),
        ),
        Column(
            "account_name",
            "text",
            False,
            "Account name",
            ("Account Name", "Account", "Company", "Company Name", "Associated Company"),
        ),
        Column(
            "rep_id",
            "id",
            False,
            "Owner of the deal",
            ("Opportunity Owner ID", "OwnerId", "Owner ID", "hubspot_owner_id", "Deal Owner ID"),
        ),
        Column(
            "rep_name",
            "text",
            False,
            "Owner's name",
            ("Opportunity Owner", "Owner", "Owner Name", "Deal Owner", "Sales Rep", "rep"),
        ),
        Column("team", "category", False, "Owner's team", ("Owner Role", "Sales Team", "Team")),
        Column(
            "product_line",
            "category",
            False,
            "Product line sold",
            ("Product Line", "Product Family", "Product", "Pipeline", "Product Name"),
        ),
        Column(
            "lead_source",
            "category",
            False,
            "Where the lead came from",
            ("Lead Source", "LeadSource", "Source", "Original Source", "hs_analytics_source"),
        ),
        Column(
            "stage",
            "category",
            True,
            "Pipeline stage",
            ("Stage", "StageName", "Stage Name", "Deal Stage", "dealstage", "Opportunity Stage"),
        ),
        Column(
            "amount",
            "number",
            True,
            "Deal value",
            (
                "Amount",
                "Deal Amount",
                "Amount (converted)",
                "Opportunity Amount",
                "Value",
                "Total Contract Value",
                "TCV",
            ),
        ),
        Column(
            "created_date",
            "date",
            True,
            "When the deal was created",
            ("Created Date", "CreatedDate", "Create Date", "createdate", "Opened Date"),
        ),
        Column(
            "close_date",
            "date",
            True,
            "Expected or actual close date",
            ("Close Date", "CloseDate", "closedate", "Closed Date", "Close"),
        ),
        Column(
            "is_closed",
            "bool",
            False,
            "Deal is closed (won or lost)",
            ("Closed", "IsClosed", "Is Closed", "hs_is_closed"),
        ),
        Column(
            "is_won",
            "bool",
            False,
            "Deal is won",
            ("Won", "IsWon", "Is Won", "hs_is_closed_won", "Closed Won"),
        ),
        Column(
            "cycle_days",
            "integer",
            False,
            "Days from creation to close",
            ("Age", "Sales Cycle", "Days to Close", "Cycle Days", "days_to_close"),
        ),
        Column(
            "discount",
            "number",
            False,
            "Discount as a fraction of list price (0.15 = 15%)",
            ("Discount", "Discount %", "Discount Percent", "Discount Rate"),
        ),
        Column("industry", "category", False, "Account industry", ("Industry", "Account Industry")),
        Column(
            "region",
            "category",
            False,
            "Sales region",
            ("Region", "Sales Region", "Territory", "Geo"),
        ),
        Column(
            "country",
            "category",
            False,
            "Account country",
            ("Country", "Billing Country", "Account Country"),
        ),
        Column(
            "employees",
            "integer",
            False,
            "Account head count",
            ("Employees", "Number of Employees", "NumberOfEmployees", "numberofemployees"),
        ),
        Column(
            "annual_revenue",
            "number",
            False,
            "Account annual revenue",
            ("Annual Revenue", "AnnualRevenue", "annualrevenue"),
        ),
    ),
)

ACCOUNTS = TableSchema(
    name="accounts",
    key="account_id",
    columns=(
        Column(
            "account_id",
            "id",
            True,
            "Unique id of the account",
            ("Account ID", "Id", "Company ID", "Record ID", "hs_object_id"),
        ),
        Column(
            "account_name",
            "text",
            True,
            "Account name",
            ("Account Name", "Name", "Company Name", "Company"),
        ),
        Column("industry", "category", False, "Industry", ("Industry",)),
        Column(
            "region", "category", False, "Sales region", ("Region", "Sales Region", "Territory")
        ),
        Column("country", "category", False, "Country", ("Country", "Billing Country")),
        Column(
            "employees",
            "integer",
            False,
            "Head count",
            ("Employees", "Number of Employees", "NumberOfEmployees"),
        ),
        Column(
            "annual_revenue", "number", False, "Annual revenue", ("Annual Revenue", "AnnualRevenue")
        ),
        Column(
            "created_date",
            "date",
            False,
            "When the account was created",
            ("Created Date", "CreatedDate", "Create Date", "createdate"),
        ),
        Column("rep_id", "id", False, "Account owner", ("Account Owner ID", "OwnerId", "Owner ID")),
    ),
)

REPS = TableSchema(
    name="reps",
    key="rep_id",
    columns=(
        Column("rep_id", "id", True, "Unique id of the rep", ("User ID", "Id", "Owner ID")),
        Column("rep_name", "text", True, "Rep name", ("Full Name", "Name", "Owner", "User")),
        Column("team", "category", False, "Team", ("Role", "Sales Team", "Team")),
        Column("region", "category", False, "Region", ("Region", "Territory")),
        Column("manager", "text", False, "Manager's name", ("Manager", "Manager Name")),
        Column("hire_date", "date", False, "Hire date", ("Hire Date", "Start Date")),
        Column("quota", "number", False, "Annual quota", ("Quota", "Annual Quota")),
    ),
)

TABLES: dict[str, TableSchema] = {t.name: t for t in (OPPORTUNITIES, ACCOUNTS, REPS)}
