"""Loading real exports: files, encodings, delimiters, column mapping, errors, derived columns."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from salesops_nb.data.load import SUPPORTED_EXTENSIONS, load_opportunities, load_table
from salesops_nb.data.schema import OPPORTUNITIES
from salesops_nb.errors import DataError, DataFileError, MissingColumnsError, ValueParseError

SALESFORCE = Path(__file__).parent / "files" / "salesforce_opportunities.csv"

# A small canonical table, written out in various ways by the tests.
DEALS = pd.DataFrame({
    "opportunity_id": ["D1", "D2", "D3"],
    "account_name": ["Société Générale", "Müller GmbH", "Nørre A/S"],
    "stage": ["Closed Won", "Closed Lost", "Proposal"],
    "amount": [1200.5, 300.0, 45000.0],
    "created_date": pd.to_datetime(["2025-01-05", "2025-02-01", "2025-03-10"]),
    "close_date": pd.to_datetime(["2025-02-04", "2025-03-03", "2025-05-30"]),
})


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _one_paragraph_with_hint(err: Exception) -> None:
    lines = str(err).split("\n")
    assert len(lines) == 2 and lines[0] == err.message and lines[1] == f"Hint: {err.hint}"
    assert err.hint


# ---------------------------------------------------------------------- CRM headers, no mapping
def test_salesforce_report_loads_without_a_mapping():
    deals = load_table(SALESFORCE)
    canonical = ["opportunity_id", "opportunity_name", "account_name", "rep_name",
                 "lead_source", "stage", "amount", "created_date", "close_date", "is_closed",
                 "is_won", "cycle_days"]
    assert list(deals.columns) == [*canonical, "outcome", "Probability (%)", "Type"]
    assert deals["amount"].tolist() == [12400.0, 3150.5, 48000.0, 900.0, 1_250_000.0, -500.0]
    assert deals["close_date"].iloc[1] == pd.Timestamp("2025-02-28")  # month-first detected
    assert deals["outcome"].tolist() == ["won", "lost", "open", "open", "won", "lost"]
    assert deals["is_closed"].tolist() == [True, True, False, False, True, True]
    assert deals["cycle_days"].tolist() == [64, 27, pd.NA, pd.NA, 86, 35]
    assert str(deals["amount"].dtype) == "Float64"
    assert str(deals["opportunity_id"].dtype) == "string"
    assert deals["lead_source"].isna().tolist() == [False] * 5 + [True]


def test_hubspot_deal_export_loads_without_a_mapping(tmp_path):
    text = ("Record ID,Deal Name,Deal Stage,Amount,Create Date,Close Date,Deal owner,Pipeline\n"
            "9001,Acme,closedwon,1200,2025-01-05 10:22,2025-02-04 16:00,Jane,Sales Pipeline\n"
            "9002,Beta,closedlost,800.5,2025-01-07 09:00,2025-02-01 11:30,John,Sales Pipeline\n"
            "9003,Gamma,appointmentscheduled,,2025-02-07 09:00,,Jane,Sales Pipeline\n")
    deals = load_table(_write(tmp_path / "hubspot.csv", text))
    assert deals["opportunity_id"].tolist() == ["9001", "9002", "9003"]
    assert deals["rep_name"].tolist() == ["Jane", "John", "Jane"]
    assert deals["product_line"].tolist() == ["Sales Pipeline"] * 3
    assert deals["outcome"].tolist() == ["won", "lost", "open"]
    assert deals["amount"].tolist() == [1200.0, 800.5, pd.NA]
    assert deals["close_date"].iloc[0] == pd.Timestamp("2025-02-04 16:00")


def test_snake_case_and_salesforce_data_loader_names(tmp_path):
    text = ("Id,StageName,Amount,CreatedDate,CloseDate,IsClosed,IsWon\n"
            "006A,Closed Won,10,2025-01-02T08:00:00.000Z,2025-01-31,true,true\n"
            "006B,Qualification,20,2025-01-03T08:00:00.000Z,2025-03-31,false,false\n")
    deals = load_table(_write(tmp_path / "loader.csv", text))
    assert deals["is_won"].tolist() == [True, False]
    assert deals["outcome"].tolist() == ["won", "open"]
    assert deals["cycle_days"].tolist() == [28, pd.NA]


# ------------------------------------------------------------------ encodings and delimiters
def test_latin1_file_with_accents(tmp_path):
    path = tmp_path / "latin1.csv"
    DEALS.to_csv(path, index=False, encoding="latin-1", errors="replace")
    deals = load_table(path)
    assert deals["account_name"].tolist()[:2] == ["Société Générale", "Müller GmbH"]


def test_utf8_bom_file_keeps_its_first_header(tmp_path):
    path = tmp_path / "bom.csv"
    DEALS.to_csv(path, index=False, encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    deals = load_table(path)
    assert deals["opportunity_id"].tolist() == ["D1", "D2", "D3"]
    assert deals["account_name"].iloc[2] == "Nørre A/S"


def test_utf16_file(tmp_path):
    path = tmp_path / "utf16.csv"
    DEALS.to_csv(path, index=False, encoding="utf-16", sep="\t")
    deals = load_table(path)
    assert deals["account_name"].tolist() == DEALS["account_name"].tolist()
    assert deals["amount"].tolist() == [1200.5, 300.0, 45000.0]


def test_semicolon_european_file(tmp_path):
    text = ("Opportunity ID;Account Name;Stage;Amount;Discount;Created Date;Close Date\n"
            "E1;Café Lumière;Closed Won;1.200,50 €;15 %;05.01.2025;14.02.2025\n"
            "E2;Brötchen AG;Closed Lost;300 €;0,5%;01.02.2025;03.03.2025\n"
            "E3;Ñandú SL;Proposal;45.000,00 €;;10.03.2025;30.05.2025\n")
    deals = load_table(_write(tmp_path / "europe.csv", text, "cp1252"))
    assert deals["amount"].tolist() == [1200.5, 300.0, 45000.0]
    assert deals["discount"].tolist() == [0.15, 0.005, pd.NA]
    assert deals["close_date"].tolist() == list(pd.to_datetime(
        ["2025-02-14", "2025-03-03", "2025-05-30"]))
    assert deals["account_name"].tolist() == ["Café Lumière", "Brötchen AG", "Ñandú SL"]


@pytest.mark.parametrize("sep", ["\t", "|"])
def test_tab_and_pipe_delimiters(tmp_path, sep):
    path = tmp_path / "deals.txt"
    DEALS.to_csv(path, index=False, sep=sep)
    assert load_table(path)["amount"].tolist() == [1200.5, 300.0, 45000.0]


def test_quoted_amounts_with_commas_do_not_fool_the_delimiter(tmp_path):
    text = ('opportunity_id,stage,amount,created_date,close_date\n'
            'A,Closed Won,"$1,234,567.89",2025-01-01,2025-01-30\n')
    deals = load_table(_write(tmp_path / "quoted.csv", text))
    assert deals["amount"].tolist() == [1234567.89]


# ---------------------------------------------------------------------- xlsx, parquet, frames
def test_xlsx_first_sheet_named_sheet_and_number(tmp_path):
    path = tmp_path / "book.xlsx"
    other = DEALS.assign(opportunity_id=["X1", "X2", "X3"])
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        DEALS.to_excel(writer, sheet_name="Deals", index=False)
        other.to_excel(writer, sheet_name="Archive", index=False)
    assert load_table(path)["opportunity_id"].tolist() == ["D1", "D2", "D3"]
    assert load_table(path, sheet="Archive")["opportunity_id"].tolist() == ["X1", "X2", "X3"]
    assert load_table(path, sheet=1)["opportunity_id"].tolist() == ["X1", "X2", "X3"]
    deals = load_table(path)
    assert deals["close_date"].tolist() == DEALS["close_date"].tolist()
    assert deals["amount"].tolist() == [1200.5, 300.0, 45000.0]
    with pytest.raises(DataFileError) as caught:
        load_table(path, sheet="Archiv")
    err = caught.value
    assert "has no sheet named 'Archiv'. Did you mean 'Archive'?" in err.message
    assert "0: 'Deals', 1: 'Archive'" in err.hint
    _one_paragraph_with_hint(err)
    with pytest.raises(DataFileError, match="no sheet number 5"):
        load_table(path, sheet=5)


def test_xlsx_with_numeric_ids_and_bad_cell_rows(tmp_path):
    path = tmp_path / "ids.xlsx"
    frame = DEALS.assign(opportunity_id=[101, 102, 103]).astype({"amount": object})
    frame.loc[2, "amount"] = "TBD"
    frame.to_excel(path, index=False)
    with pytest.raises(ValueParseError) as caught:
        load_table(path)
    assert caught.value.rows == [4]  # header in row 1, third deal in row 4
    assert "sheet 'Sheet1' of" in caught.value.message
    fixed = tmp_path / "ok.xlsx"
    DEALS.assign(opportunity_id=[101, 102, 103]).to_excel(fixed, index=False)
    assert load_table(fixed)["opportunity_id"].tolist() == ["101", "102", "103"]


def test_parquet(tmp_path):
    path = tmp_path / "deals.parquet"
    DEALS.to_parquet(path)
    deals = load_table(path)
    assert deals["amount"].tolist() == [1200.5, 300.0, 45000.0]
    assert deals["outcome"].tolist() == ["won", "lost", "open"]


def test_a_dataframe_is_never_mutated_and_keeps_its_index():
    frame = DEALS.set_axis(["a", "b", "c"]).assign(
        amount=["$1,200.50", "$300", "$45,000"], Region=["EMEA", "EMEA", "APAC"],
        segment=["x", "y", "z"])
    before = frame.copy()
    deals = load_table(frame)
    pd.testing.assert_frame_equal(frame, before)
    assert list(deals.index) == ["a", "b", "c"]
    assert deals["amount"].tolist() == [1200.5, 300.0, 45000.0]
    assert deals["region"].tolist() == ["EMEA", "EMEA", "APAC"]
    assert list(deals.columns)[-2:] == ["outcome", "segment"]


# ------------------------------------------------------------------------------- bad files
def test_missing_file_says_where_and_suggests_a_near_name(tmp_path):
    (tmp_path / "deals.csv").write_text("x")
    with pytest.raises(DataFileError) as caught:
        load_table(tmp_path / "deal.csv")
    err = caught.value
    assert str(tmp_path / "deal.csv") in err.message
    assert "'deals.csv'" in err.hint
    _one_paragraph_with_hint(err)


def test_missing_file_without_neighbours_explains_relative_paths(tmp_path):
    with pytest.raises(DataFileError, match="No file at") as caught:
        load_table(tmp_path / "nowhere" / "x.csv")
    assert "current folder" in caught.value.hint


def test_a_folder_is_not_a_file(tmp_path):
    DEALS.to_csv(tmp_path / "deals.csv", index=False)
    with pytest.raises(DataFileError) as caught:
        load_table(tmp_path)
    assert "is a folder" in caught.value.message and "deals.csv" in caught.value.message


def test_unsupported_extension_lists_the_supported_ones(tmp_path):
    path = _write(tmp_path / "deals.json", "[]")
    with pytest.raises(DataFileError) as caught:
        load_table(path)
    err = caught.value
    assert "'.json' are not supported" in err.message
    assert all(ext in err.hint for ext in SUPPORTED_EXTENSIONS)
    _one_paragraph_with_hint(err)


@pytest.mark.parametrize("content", ["", "\n\n  \n"])
def test_empty_file(tmp_path, content):
    with pytest.raises(DataFileError, match="is empty: it has no header and no rows") as caught:
        load_table(_write(tmp_path / "empty.csv", content))
    _one_paragraph_with_hint(caught.value)


def test_header_only_csv_and_xlsx(tmp_path):
    path = _write(tmp_path / "header.csv", "Opportunity ID,Stage,Amount\n")
    with pytest.raises(DataFileError, match="has a header but no rows of data") as caught:
        load_table(path)
    _one_paragraph_with_hint(caught.value)
    book = tmp_path / "header.xlsx"
    DEALS.head(0).to_excel(book, index=False)
    with pytest.raises(DataFileError, match="has a header but no rows of data"):
        load_table(book)


def test_corrupt_files(tmp_path):
    with pytest.raises(DataFileError, match="could not be opened as an Excel workbook"):
        load_table(_write(tmp_path / "broken.xlsx", "not a workbook"))
    with pytest.raises(DataFileError, match="could not be read as a Parquet file"):
        load_table(_write(tmp_path / "broken.parquet", "PAR1 garbage"))
    workbook = tmp_path / "real.xlsx"
    DEALS.to_excel(workbook, index=False)
    renamed = tmp_path / "renamed.csv"
    renamed.write_bytes(workbook.read_bytes())
    with pytest.raises(DataFileError, match="named like a CSV file but is a zip archive"):
        load_table(renamed)


def test_ragged_csv_is_reported_not_a_traceback(tmp_path):
    text = ("opportunity_id,stage,amount,created_date,close_date\n"
            "A,Won,1,2025-01-01,2025-01-02\nB,Lost,2,2025-01-01,2025-01-02,extra\n")
    with pytest.raises(DataFileError, match="could not be read as a table separated by ','"):
        load_table(_write(tmp_path / "ragged.csv", text))


# -------------------------------------------------------------------------- column mapping
def test_missing_columns_are_listed_together_with_suggestions(tmp_path):
    text = "Deal Identifier,Stage,Amount USD,Created On,Closing Date,Region\nA,Won,1,x,y,EU\n"
    with pytest.raises(MissingColumnsError) as caught:
        load_table(_write(tmp_path / "odd.csv", text))
    err = caught.value
    assert err.missing == ["opportunity_id", "amount", "created_date", "close_date"]
    assert err.suggestions == {"opportunity_id": ["Deal Identifier"], "amount": ["Amount USD"],
                               "created_date": ["Created On", "Closing Date"],
                               "close_date": ["Closing Date"]}
    assert "lacks 4 required columns of the opportunities table" in err.message
    assert ("'amount' (deal value; usually headed 'Amount' or 'Deal Amount'; closest headers "
            "in the file: 'Amount USD')") in err.message
    assert err.hint.endswith('mapping={"Deal Identifier": "opportunity_id"}.')
    _one_paragraph_with_hint(err)


def test_missing_column_without_a_similar_header(tmp_path):
    text = "opportunity_id,stage,amount,created_date,colour\nA,Won,1,2025-01-01,red\n"
    with pytest.raises(MissingColumnsError) as caught:
        load_table(_write(tmp_path / "odd.csv", text))
    assert caught.value.missing == ["close_date"]
    assert "no similar header in the file" in caught.value.message


def test_explicit_mapping_comes_first(tmp_path):
    text = ("Ref,Phase,Value EUR,Opened,Won On,Amount\n"
            "A,Closed Won,\"1.200,50\",2025-01-01,2025-01-31,999\n")
    mapping = {"Ref": "opportunity_id", "Phase": "stage", "Value EUR": "amount",
               "Opened": "created_date", "Won On": "close_date"}
    deals = load_table(_write(tmp_path / "mapped.csv", text), mapping=mapping)
    assert deals["amount"].tolist() == [1200.5]
    assert deals["Amount"].tolist() == [999]  # the unmapped alias stays an extra column


def test_mapping_errors(tmp_path):
    path = tmp_path / "deals.csv"
    DEALS.rename(columns={"amount": "Value"}).to_csv(path, index=False)
    with pytest.raises(DataError) as caught:
        load_table(path, mapping={"Value": "amont"})
    assert "Did you mean 'amount'?" in caught.value.message
    assert "opportunity_id" in caught.value.hint and "annual_revenue" in caught.value.hint
    with pytest.raises(MissingColumnsError) as caught:
        load_table(path, mapping={"Valeu": "amount"})
    assert "no such column" in caught.value.message and "'Value'" in caught.value.message


def test_two_headers_for_one_column(tmp_path):
    text = ("opportunity_id,stage,Amount,Amount (converted),created_date,close_date\n"
            "A,Won,10,11,2025-01-01,2025-01-02\n")
    path = _write(tmp_path / "two.csv", text)
    with pytest.raises(DataError) as caught:
        load_table(path)
    err = caught.value
    assert "two headers for column 'amount': 'Amount' and 'Amount (converted)'" in err.message
    _one_paragraph_with_hint(err)
    deals = load_table(path, mapping={"Amount (converted)": "amount"})
    assert deals["amount"].tolist() == [11.0] and deals["Amount"].tolist() == [10]


def test_the_exact_canonical_name_wins_over_an_alias(tmp_path):
    text = ("opportunity_id,stage,amount,Deal Amount,created_date,close_date\n"
            "A,Won,10,11,2025-01-01,2025-01-02\n")
    deals = load_table(_write(tmp_path / "exact.csv", text))
    assert deals["amount"].tolist() == [10.0] and deals["Deal Amount"].tolist() == [11]


def test_a_leftover_column_never_overwrites_a_canonical_one():
    frame = DEALS.assign(**{"Amount (converted)": [1.0, 2.0, 3.0]})
    deals = load_table(frame, mapping={"Amount (converted)": "amount"})
    assert deals["amount"].tolist() == [1.0, 2.0, 3.0]
    assert deals["amount_original"].tolist() == [1200.5, 300.0, 45000.0]


def test_unknown_table():
    with pytest.raises(DataError, match="no table called 'deals'"):
        load_table(DEALS, "deals")


def test_other_tables_load_without_opportunity_fields():
    reps = pd.DataFrame({"User ID": ["R1"], "Full Name": ["Ana"], "Quota": ["$500,000"]})
    loaded = load_table(reps, "reps")
    assert list(loaded.columns) == ["rep_id", "rep_name", "quota"]
    assert loaded["quota"].tolist() == [500000.0]


# --------------------------------------------------------------------- values and row numbers
def test_unparseable_amounts_and_dates_name_file_rows(tmp_path):
    text = ("Opportunity ID,Stage,Amount,Created Date,Close Date\n"
            "A,Won,$10,2025-01-01,2025-01-02\n"
            "B,Won,ten dollars,2025-01-01,2025-01-02\n"
            "C,Lost,$30,2025-01-01,2025-01-02\n"
            "D,Lost,??,2025-01-01,2025-01-02\n")
    with pytest.raises(ValueParseError) as caught:
        load_table(_write(tmp_path / "bad_amounts.csv", text))
    err = caught.value
    assert err.column == "amount" and err.rows == [3, 5]
    assert "2 values cannot be read as numbers: row 3: 'ten dollars', row 5: '??'" in err.message
    assert "header = row 1" in err.message
    _one_paragraph_with_hint(err)
    text = text.replace("ten dollars", "$20").replace("??", "$40")
    text = text.replace("C,Lost,$30,2025-01-01,2025-01-02", "C,Lost,$30,2025-01-01,next week")
    with pytest.raises(ValueParseError) as caught:
        load_table(_write(tmp_path / "bad_dates.csv", text))
    assert caught.value.column == "close_date" and caught.value.rows == [4]
    assert "(header 'Close Date')" in caught.value.message


def test_ambiguous_dates_in_a_file_ask_for_dayfirst(tmp_path):
    text = ("opportunity_id,stage,amount,created_date,close_date\n"
            "A,Won,1,01/02/2025,03/04/2025\nB,Lost,2,05/06/2025,07/08/2025\n")
    path = _write(tmp_path / "dates.csv", text)
    with pytest.raises(ValueParseError, match="could be day-first or month-first") as caught:
        load_table(path)
    _one_paragraph_with_hint(caught.value)
    deals = load_table(path, dayfirst=True)
    assert deals["close_date"].tolist() == list(pd.to_datetime(["2025-04-03", "2025-08-07"]))


def test_one_date_column_decides_the_day_order_of_the_other(tmp_path):
    text = ("opportunity_id,stage,amount,created_date,close_date\n"
            "A,Won,1,25/01/2025,03/04/2025\n")
    deals = load_table(_write(tmp_path / "dates.csv", text))
    assert deals["close_date"].iloc[0] == pd.Timestamp("2025-04-03")


def test_a_required_id_cannot_be_empty(tmp_path):
    text = "opportunity_id,stage,amount,created_date,close_date\n,Won,1,2025-01-01,2025-01-02\n"
    with pytest.raises(ValueParseError) as caught:
        load_table(_write(tmp_path / "noid.csv", text))
    assert "1 row has no opportunity_id, e.g. row 2." in caught.value.message
    assert caught.value.rows == [2]


# ---------------------------------------------------------------------------- derived fields
def test_outcomes_are_derived_from_the_stage():
    frame = pd.DataFrame({
        "opportunity_id": list("ABCDE"),
        "stage": ["Closed Won", "closed lost", "Negotiation", "Closed", None],
        "amount": [1, 2, 3, 4, 5],
        "created_date": ["2025-01-01"] * 5,
        "close_date": ["2025-01-11", "2025-01-21", "2025-02-01", "2025-01-06", "2025-01-02"],
    })
    deals = load_table(frame)
    assert deals["is_closed"].tolist() == [True, True, False, True, pd.NA]
    assert deals["is_won"].tolist() == [True, False, False, pd.NA, pd.NA]
    assert deals["outcome"].tolist() == ["won", "lost", "open", pd.NA, pd.NA]
    assert deals["cycle_days"].tolist() == [10, 20, pd.NA, 5, pd.NA]
    assert str(deals["outcome"].dtype) == "string"


def test_flag_columns_with_crm_words():
    frame = DEALS.assign(stage=["Stage 5", "Stage 5", "Stage 2"],
                         **{"Won": ["Won", "Lost", "Open"], "Closed": ["Closed", "Closed", "Open"]})
    deals = load_table(frame)
    assert deals["is_won"].tolist() == [True, False, False]
    assert deals["is_closed"].tolist() == [True, True, False]
    assert deals["outcome"].tolist() == ["won", "lost", "open"]


def test_columns_come_in_schema_order_then_outcome_then_extras():
    frame = DEALS[["close_date", "amount", "stage", "created_date", "opportunity_id"]].assign(
        notes=["a", "b", "c"])
    deals = load_table(frame)
    order = [c for c in OPPORTUNITIES.names if c in deals.columns]
    assert list(deals.columns) == [*order, "outcome", "notes"]


def test_many_rows_load_through_a_csv(tmp_path):
    rows = 50_000
    frame = pd.DataFrame({
        "Opportunity ID": [f"O{i}" for i in range(rows)],
        "Stage": ["Closed Won", "Closed Lost", "Qualification", "Closed Won"] * (rows // 4),
        "Amount": [f"${(i % 997) * 10 + 0.5:,.2f}" for i in range(rows)],
        "Created Date": ["3/1/2025"] * rows,
        "Close Date": [f"3/{1 + i % 28}/2025" for i in range(rows)],
    })
    path = tmp_path / "many.csv"
    frame.to_csv(path, index=False)
    deals = load_table(path)
    assert deals["amount"].sum() == pytest.approx(sum((i % 997) * 10 + 0.5 for i in range(rows)))
    assert deals["outcome"].value_counts().to_dict() == {"won": 25_000, "lost": 12_500,
                                                         "open": 12_500}


# -------------------------------------------------------------------------------- the sample
@pytest.mark.parametrize("source", [None, ""])
def test_no_source_means_the_built_in_sample(source):
    deals = load_opportunities(source, sample_rows=300, seed=3)
    assert len(deals) == 300
    assert set(deals["outcome"].dropna()) <= {"won", "lost", "open"}
    assert list(deals.columns)[: len(OPPORTUNITIES.required)] != []
    assert "amount" in deals and str(deals["amount"].dtype) == "Float64"


def test_a_latin1_character_past_the_sniffed_head_switches_encoding(tmp_path):
    rows = "".join(f"O{i},Closed Won,{i},2025-01-01,2025-01-31,Acme\n" for i in range(3000))
    text = ("opportunity_id,stage,amount,created_date,close_date,account_name\n" + rows
            + "LAST,Closed Lost,5,2025-01-01,2025-01-31,Société\n")
    path = _write(tmp_path / "late_accent.csv", text, "latin-1")
    assert path.stat().st_size > 64 * 1024
    deals = load_table(path)
    assert deals["account_name"].iloc[-1] == "Société" and len(deals) == 3001


def test_the_messy_sample_loads():
    from salesops_nb.data.sample import sample_opportunities

    messy = sample_opportunities(400, seed=5, messy=True)
    deals = load_table(messy)
    assert str(deals["amount"].dtype) == "Float64" and deals["amount"].notna().sum() > 300
    assert str(deals["close_date"].dtype) == "datetime64[us]"
