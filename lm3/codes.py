"""Every code lm3 gives, in one place: what it means. Warnings (``lm3.Notice.code``), errors
(``lm3.LM3Error.code``) and the codes of rows set aside (a rejected payment's ``code``, a row problem's
``code``). Code branches on these, never on a message's words; ``docs/codes.md`` lists them for people, and
a test keeps this catalogue, the source and the docs in step.

    >>> from lm3.codes import CODES
    >>> CODES["total-row-does-not-reconcile"].kind
    'warning'
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    """A code's ``kind`` ("warning", "error" or "row") and what it means, for a person."""

    kind: str
    meaning: str


_WARNINGS = {
    "payment-rows-skipped": "Payment rows whose amount cannot be read were left out of a calculation, as asked "
    "(skip_rejected); what they paid is unknown.",
    "rows-without-amount": "Rows with no amount at all (headings, notes, payments not filled in) were left out "
    "of a calculation: they hold no money.",
    "threshold-low": "A near-name threshold (match_threshold, merge_threshold) below 75 takes names that share "
    "little for one organisation.",
    "carriage-returns-in-lines": "A CSV held carriage returns inside lines (not line ends): read as spaces.",
    "encoding-not-utf8": "A CSV is not UTF-8 (or not all of it): it was read as Windows-1252; names in other "
    "encodings may look wrong.",
    "area-former": "The area named a former council or county: the districts that cover it today are used, and "
    "a former district is studied as the wider district it is now part of.",
    "amount-is-gross": "No net column was found: the amounts read are gross (VAT included).",
    "amount-is-line": "The column summed holds line amounts beside an invoice total repeated on each line.",
    "column-chosen": "A column was chosen by its content, not its header; the warning says which and why.",
    "column-holds-no-ids": "A column headed as an identifier holds no such identifiers, and is not read as one.",
    "company-name-ambiguous": "Suppliers share their name with several active companies and were not matched.",
    "company-not-active": "Companies matched are not active (dissolved, in liquidation or administration).",
    "company-number-not-found": "Company numbers given are not in the Companies House file read.",
    "credit-notes-exceed-payments": "A file's credit notes exceed its payments: its net spend is negative.",
    "dates-month-first": "The dates are month first (05/31/2022) and were read so.",
    "dates-not-dates": "Some dates are not dates: those rows are kept, with no date.",
    "delimiter-missing-repaired": "Rows missing a delimiter were split again where only one split fits the columns.",
    "exclude-matched-nothing": "An exclude rule left out nothing.",
    "scope-column-missing": "The payments have no expense type or service area column, so the scope could not "
    "leave out levies, precepts, pensions and refunds: the figure includes them.",
    "fuzzy-name-matches": "Suppliers matched to a register by a similar name: check them.",
    "group-round2-negative": "A group's round 2 is negative: its credit notes exceed its payments.",
    "header-continued": "Rows under the header continue it, and were read as part of it.",
    "income-below-spend": "The income given is less than the spending analysed.",
    "lm3-out-of-range": "LM3 is outside 1 to 3, which the method cannot give: the rounds need checking.",
    "location-unknown": "Suppliers whose location is unknown are not counted as local.",
    "pay-negative": "Pay is negative for some employees in total.",
    "payment-rows-rejected": "Payment rows were rejected and left out (lm3 ingest lists them with reasons).",
    "payments-file": "One file of several: its payments and total.",
    "payments-file-repeated": "The same file was given twice, and read once.",
    "payments-give-several-postcodes": "Suppliers paid at several postcodes are placed at the one with most spend.",
    "payments-in-two-files": "The same payment rows appear in more than one file; all are counted.",
    "payments-redacted-supplier": "Payments to redacted payees: counted in round 1, never placed.",
    "payments-without-supplier-name": "Payments with no supplier name: counted in round 1, never placed.",
    "postcode-with-other-characters": "Postcodes holding characters no postcode has were read without them.",
    "postcodes-placed-by-area": "Postcodes not in the ONS directory were placed by their sector or district.",
    "register-added": "A register was added to the store.",
    "register-columns-by-content": "A register's columns were found by their content, not their headers.",
    "register-names-too-close": "Suppliers not matched: two register names are too close to call.",
    "register-rows-repeated": "Repeated register rows for one supplier and postcode: the first is used.",
    "register-rows-repeated-across-files": "A register row repeats one of an earlier file: the first is used.",
    "round2-exceeds-round1": "Round 2 exceeds round 1: more reaches local suppliers and staff than was spent.",
    "round3-exceeds-round2": "Round 3 exceeds round 2: more is re-spent locally than was received.",
    "rows-above-header": "Rows above the header hold several cells, and were read as titles.",
    "rows-longer-than-header": "Rows with more fields than the header: the extra fields were not used.",
    "rows-rejected": "Rows were rejected; the rejected list gives each one's reason.",
    "sheets-skipped": "Sheets without the table's header were not read.",
    "small-staff-groups": "Staff groups so small that their pay total is close to one person's pay.",
    "staff-home-unknown": "Employees whose home postcode is missing or unknown are not counted as local.",
    "staff-survey-without-payroll": "A staff survey was given without a payroll, and is not used.",
    "stated-total-reconciles": "A total stated above the header equals the payments below it.",
    "subtotal-row-reconciles": "A subtotal row equals the payments since the last one: not counted.",
    "supplier-has-several-postcodes": "A supplier with several postcodes: local if one is in the area.",
    "supplier-in-several-registers": "A supplier in several register files: all its postcodes are considered.",
    "supplier-names-cleaned": "Payee names were matched without their payment-method or account text.",
    "supplier-names-merged": "Supplier names merged as near-duplicates of another.",
    "suppliers-not-placed": "Suppliers that could not be placed: not counted as local.",
    "survey-answer-names-nobody": "A survey answer names no supplier or employee of the study.",
    "survey-answers-from-non-local-suppliers": "Answers from suppliers not counted as local are not used in round 3.",
    "survey-answers-from-staff-outside": "Answers from staff living outside the area are not used in round 3.",
    "survey-answers-match-no-employee": "Staff answers that match no employee in the payroll are not used.",
    "survey-answers-match-no-supplier": "Supplier answers that match no supplier in the payments are not used.",
    "survey-answers-repeated": "Repeated survey answers are counted once.",
    "survey-empty": "A survey with no answers: its group has no respondents.",
    "survey-part-blank": "One of the two parts of an answer is blank, and taken as 0%.",
    "survey-rows-unanswered": "Survey rows with no answer are treated as not responding.",
    "survey-share-and-parts-differ": "An answer's share and the parts it is made of differ: the parts are used.",
    "survey-sheet-skipped": "A survey workbook's sheet holds no survey header, and was not read.",
    "total-row-does-not-reconcile": "A total row (or stated total) does not equal its payments: check the file.",
    "total-row-reconciles": "The file's own total row equals the payments above it: not counted.",
    "workbook-named-otherwise": "A workbook under another suffix was read as a workbook.",
    "zip-member-repeated": "Copies of one file inside a ZIP were read once.",
}

_ERRORS = {
    "too-many-columns": "A table has more columns in its first rows than any spend file, register or survey.",
    "archive-too-large": "A ZIP expands too far to open safely.",
    "area-kinds-mixed": "An area mixes kinds of area that cannot go together.",
    "area-unknown": "No area by that name or code (the error suggests the nearest).",
    "bad-manifest": "A batch manifest is missing, unreadable, or lacks a column it needs.",
    "bad-parameter": "A parameter is not what it should be; the message says what it accepts.",
    "bad-scenario": "A what-if (scenario) is not written as key=value pairs lm3 reads.",
    "bad-setting": "An lm3.toml is not valid, or holds an unknown or wrong setting.",
    "cannot-write": "A file or folder cannot be written.",
    "column-not-found": "A column named in columns (or register_columns) is not in the file.",
    "dask-missing": "Running on Dask needs the dask extra.",
    "download-checksum": "A downloaded file's checksum is not the one expected.",
    "download-corrupted": "A downloaded ZIP is corrupted.",
    "download-incomplete": "A download stopped before the end (run it again to resume).",
    "download-refused": "The server refused the download.",
    "download-unreachable": "The server cannot be reached.",
    "download-wrong-layout": "A downloaded file is not the register it should be.",
    "empty-file": "A file holds nothing to read.",
    "exclude-column-missing": "An exclude rule names a column the payments do not have.",
    "exclude-not-understood": "An exclude rule is not FIELD=VALUE.",
    "file-not-found": "A file is not there.",
    "header-not-found": "No row names the columns a table needs.",
    "input-error": "An input cannot be used (InputError's own code).",
    "line-too-long": "A CSV line is longer than any table's row.",
    "lm3-error": "lm3 refused to do something (LM3Error's own code).",
    "method-error": "The method cannot be applied (MethodError's own code).",
    "missing-inputs": "An input the study needs was not given.",
    "no-answer-columns": "A survey file has no answer columns.",
    "no-area": "No area was given.",
    "no-column-for-field": "No column holds a field the table needs.",
    "no-files": "A folder or pattern names no files lm3 reads.",
    "no-net-pay": "The net pay basis needs a net pay column.",
    "no-payments": "A payments file has its header but no payments.",
    "no-register": "No supplier register was given where one is needed.",
    "no-such-register": "The store holds no register by that name, or lm3 knows none to download.",
    "no-such-sheet": "A workbook has no sheet by that name.",
    "no-table-in-zip": "A ZIP holds no table lm3 reads.",
    "not-a-file": "A path is not a regular file.",
    "not-a-result": "A file given as a result is not an lm3 result.",
    "not-a-table": "A file is not a table (a PDF, a web page...).",
    "not-companies-house": "A file is not Companies House's bulk data, or an index of it.",
    "not-csv": "A file cannot be read as CSV.",
    "not-readable": "A file cannot be read (a workbook, JSON or archive that is damaged).",
    "not-utf8": "A text file in an encoding lm3 does not read.",
    "project-not-found": "A project folder has no lm3.toml.",
    "radius-centre-not-placed": "A radius's centre is not a postcode in the ONS directory.",
    "register-empty": "A register file holds no rows.",
    "register-name-taken": "A register cannot be added under the name of lm3's own.",
    "register-not-found": "A register's bulk file is not at its address.",
    "register-older": "The store holds a newer copy of this register.",
    "register-unreadable": "A register in the store cannot be read.",
    "register-url-needed": "A register's address must be given to download it.",
    "round1-not-positive": "Round 1 is not positive: LM3 needs a positive starting sum.",
    "rows-cannot-be-used": "Rows cannot be used (RowErrors): every bad row of every file, listed.",
    "sheet-too-large": "A sheet spans far more cells than it holds values.",
    "sheet-unreadable": "A sheet cannot be read.",
    "too-many-rows": "More payment rows than the web server reads at once.",
    "unknown-column-field": "A column set in columns names a field the table does not have.",
    "value-too-long": "A quote in a CSV opens a value that never closes.",
    "wrong-suffix": "An output file's name has a suffix lm3 does not write.",
}

_ROWS = {
    "amount-blank": "A payment row with a supplier and no amount.",
    "amount-decimal-comma": "An amount with a comma that is not a thousands separator.",
    "amount-excel-error": "An amount cell holding an Excel error (#VALUE!...).",
    "amount-exponent": "An amount written with an exponent beyond any amount paid.",
    "amount-not-money": "An amount that is not money.",
    "amount-other-digits": "An amount with digits from another script.",
    "amount-two-signs": "An amount with more than one sign.",
    "amount-underscores": "An amount with underscores in it.",
    "no-supplier-no-amount": "A row with neither a supplier nor an amount (and something else in it).",
    "heading-or-note": "A row with neither an amount nor a date in a file with dates: a section heading or a "
    "note line, not a payment.",
    "invalid-*": "A cell of a field (invalid-supplier, invalid-gross, invalid-share...) that cannot be used.",
}

CODES: dict[str, Code] = {
    **{code: Code("warning", meaning) for code, meaning in _WARNINGS.items()},
    **{code: Code("error", meaning) for code, meaning in _ERRORS.items()},
    **{code: Code("row", meaning) for code, meaning in _ROWS.items()},
}


def meaning(code: str) -> str | None:
    """What a code means (an ``invalid-<field>`` row code as ``invalid-*``); None for a code not listed."""
    found = CODES.get(code) or (CODES["invalid-*"] if code.startswith("invalid-") else None)
    return found.meaning if found else None
