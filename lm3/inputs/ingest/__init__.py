"""Ingest a spend file as published: every row accepted or rejected with a reason, to the penny.

``ingest`` reads a "spend over £500" file (CSV, XLSX, XLSM, XLS, ODS, or a ZIP of one) through
``lm3.read.table.read_table`` and turns it into one canonical table of payments:

    sheet, row, supplier, key, supplier_class, amount (integer pence), date, period,
    and where the file has them: expense_type, service_area, supplier_id, company_number, charity_number,
    vat_number, postcode, head_office_postcode, urn, ods_code, org_id, vcse, transaction_id, capital_revenue

The supplier's identifiers (postcode, company and charity numbers, URN, ODS code, org-id) are found by their
content as well as their headers, made canonical (``lm3.values.ids``), and a value that is no identifier
("N/A", "0", "-", "TBC") is null; a postcode column may hold addresses (the last postcode in each is read) or
outward codes ("BD7").

Rules (each is listed in the result when it applies):

- Amounts: "£1,000.00", "1,000.00 ", "161,413.00-", "(1,043.00)", Excel float noise (rounded to the penny,
  halves away from zero). A blank or non-money amount rejects the row, with the reason.
- Credit notes (negative amounts) are kept; they net off against their supplier.
- A last row labelled "Total"/"Grand Total" (or with no supplier) whose amount equals the sum of the rows
  above it is the file's own total: it is reported, not counted. A labelled total that does not reconcile is
  reported with the difference. Labelled subtotal rows inside the file are rejected as not payments.
- Redacted suppliers ("REDACTED PERSONAL DATA", "Redacted Personal Information", "THIRD PARTY SUPPLIER",
  mis-encoded dashes and the like) are one class, "redacted": supplier "(redacted)", key "(REDACTED)", which
  no real supplier's key can equal. Payments with no supplier name are kept as "(no supplier name)".
- Supplier names get a key (``lm3.values.names.supplier_key``); keys that differ only by a typo (rapidfuzz ratio at
  or above ``merge_threshold``, same digits) are merged into the key with more spend, and every merge listed.
- Dates and period codes: see ``lm3.values.dates``. A value that is neither keeps its row, with no date, and is
  listed.

Accounting: rows_accepted + rows_rejected = the payment rows of the file (blank rows and the file's total
row are not payment rows, and are counted separately); total = the sum of accepted amounts.
"""

from lm3.inputs.ingest.pipeline import Sources, ingest, spend_files
from lm3.inputs.ingest.result import DEFAULT_MERGE_THRESHOLD, IngestResult, TotalRow

__all__ = ["DEFAULT_MERGE_THRESHOLD", "IngestResult", "Sources", "TotalRow", "ingest", "spend_files"]
