"""Every input field lm3 looks for, declared once: its canonical name, how to describe it, the header words
it goes by and the kind of content it holds. The readers (payments, registers, payroll, surveys) take their
fields from here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Field:
    """A column a reader looks for: its canonical name, how to describe it, the headers it goes by, and
    the kind of content it holds ("text", "money", "date" or "any"), used to check or find it."""

    name: str
    label: str
    synonyms: tuple[str, ...]
    required: bool = True
    kind: str = "any"


SUPPLIER = Field(
    "supplier",
    "supplier name",
    (
        "supplier name",
        "supplier",
        "vendor name",
        "vendor",
        "payee name",
        "payee",
        "creditor name",
        "creditor",
        "beneficiary",
        "merchant name",
        "supplier full name",
        "supplier beneficiary name",
        "supplier company name",
        "supplier beneficiary",
        "company name",
        "supplier name s",
        "name",
    ),
    kind="text",
)
SHARE = Field(
    "share",
    "local spend share",
    (
        "local spend share",
        "local share",
        "share local",
        "local spend",
        "share spent locally",
        "local spending share",
        "local spend percent",
        "percent local",
        "percent spent locally",
        "local percent",
        "local percentage",
        "share",
    ),
)
EMPLOYEE = Field(
    "employee",
    "employee id",
    (
        "employee id",
        "employee number",
        "employee no",
        "employee ref",
        "employee",
        "staff id",
        "staff number",
        "payroll number",
        "payroll id",
        "person id",
        "id",
    ),
)

PAYMENTS_FIELDS = (
    SUPPLIER,
    Field(
        "amount",
        "amount",
        (
            # net before plain, plain before gross: with gross, VAT and net columns side by side, net is used
            "amount",
            "net amount",
            "net value",
            "amount paid",
            "payment amount",
            "value",
            "net",
            "total",
            "nett amount",
            "nett",
            "net amount gbp",
            "net amount excluding vat",
            "amount excluding vat",
            "amount ex vat",
            "net total",
            "sum of invoice nett amount",
            "sum of net amount",
            "invoice nett amount",
            "invoice net amount",
            "amount gbp",
            "line amount",
            "transaction amount",
            "expenditure",
            "spend",
            "paid amount",
            "value gbp",
            "annual value",
            "total contract value including extensions",
            "contract value",
            "gross amount",
            "gross",
            "total amount",
            "gross value",
        ),
        kind="money",
    ),
    Field(
        "date",
        "date",
        (
            "date",
            "payment date",
            "date paid",
            "paid date",
            "invoice payment date",
            "transaction date",
            "date of payment",
            "payment run date",
            "posting date",
            "cheque date",
            "clearing date",
            "effective date",
            "invoice date",
            "period",
            "accounting period",
            "financial period",
            "month",
        ),
        required=False,
        kind="date",
    ),
    Field(
        "expense_type",
        "expense type",
        (
            "expenses type",
            "expense type",
            "expenditure category",
            "expenditure catergory",
            "expense category",
            "expenditure type",
            "expenditure description",
            "expense description",
            "detailed expenditure type",
            "sercop expenditure category",
            "account detail",
            "account description",
            "account name",
            # the ledger account a payment is coded to, as finance systems name it (GL: general ledger)
            "gl description",
            "gl account description",
            "general ledger description",
            "ledger description",
            "ledger account description",
            "nominal description",
            "nominal account description",
            "cost element description",
            "subjective description",
            "subjective",
            "category",
            "purpose of spend",
            "purpose of spend summary",
            "procurement classification",
            "procurement category",
            "proclass description",
        ),
        required=False,
    ),
    Field(
        "service_area",
        "service area",
        (
            "service area",
            "service label",
            "service",
            "expense area",
            "service area categorisation",
            "directorate",
            "directorate service where expenditure incurred",
            "department",
            "service cost centre",
            "cost centre name",
            "cost centre description",
            "service division label",
            "division",
            "portfolio",
            "directorate name",
        ),
        required=False,
    ),
    Field(
        "supplier_id",
        "supplier id",
        (
            "supplier id",
            "supplier number",
            "supplier no",
            "supplier ref",
            "supplier reference",
            "supplier code",
            "local supplier internal reference",
            "vendor id",
            "vendor number",
            "vendor no",
            "creditor number",
            "creditor no",
            "creditor id",
            "payee id",
        ),
        required=False,
    ),
    Field(
        "company_number",
        "company number",
        (
            "company number",
            "supplier registered company number",
            "registered company number",
            "company registration number",
            "company reg no",
            "company no",
            "companies house number",
            "crn",
        ),
        required=False,
    ),
    Field(
        "charity_number",
        "charity number",
        (
            "charity number",
            "supplier registered charity number",
            "registered charity number",
            "charity no",
            "charity registration number",
        ),
        required=False,
    ),
    Field(
        "vat_number",
        "VAT number",
        (
            "vat registration number",
            "vat number",
            "vat reg no",
            "vat no",
            "vat registration",
            "vat reg number",
        ),
        required=False,
    ),
    Field(
        "postcode",
        "postcode",
        ("supplier postcode", "postcode", "post code", "supplier post code", "postal code"),
        required=False,
    ),
    # found by their content (lm3.read.columns.identifier_choices), these headers are only the plainest
    Field(
        "head_office_postcode",
        "head office postcode",
        ("head office postcode", "registered office postcode"),
        required=False,
    ),
    Field("urn", "school URN", ("urn", "school urn"), required=False),
    Field("ods_code", "NHS ODS code", ("ods code", "nhs ods code", "organisation ods code"), required=False),
    Field(
        "org_id",
        "org-id",
        ("org id", "orgid", "organisation identifier", "recipient org identifier"),
        required=False,
    ),
    Field(
        "vcse",
        "VCSE flag",
        (
            "voluntary community and social enterprise supplier",
            "vcse",
            "vcse supplier",
            "vcse flag",
            "vcs",
            "voluntary or community sector",
            "third sector",
        ),
        required=False,
    ),
    Field(
        "transaction_id",
        "transaction id",
        (
            "transaction number",
            "transaction no",
            "transaction id",
            "transaction reference",
            "trans no",
            "internal ref number",
            "payment reference",
            "payment number",
            "document number",
            "document no",
            "invoice number",
            "invoice no",
            "hbc ref no",
            "ref no",
            "reference",
        ),
        required=False,
    ),
    Field(
        "capital_revenue",
        "capital or revenue",
        (
            "capital revenue",
            "capital or revenue",
            "revenue capital",
            "revenue or capital",
            "cap rev",
            "type of expenditure",
            "capital revenue indicator",
        ),
        required=False,
    ),
)
REGISTER_FIELDS = (
    SUPPLIER,
    Field(
        "postcode",
        "postcode",
        (
            "postcode",
            "post code",
            "supplier postcode",
            "supplier post code",
            "postal code",
            "location postcode",
            # a postcode inside an address is found there (the last one in the text)
            "address",
            "supplier address",
            "full address",
            "registered address",
        ),
    ),
    Field(
        "head_office_postcode",
        "head office postcode",
        (
            "head office postcode",
            "head office post code",
            "ho postcode",
            "registered office postcode",
            "registered postcode",
            "parent postcode",
            "head office",
        ),
        required=False,
    ),
    *(
        f
        for f in PAYMENTS_FIELDS
        if f.name in ("supplier_id", "company_number", "charity_number", "urn", "ods_code", "org_id", "vcse")
    ),
    Field(
        "type",
        "supplier type",
        ("supplier type", "type", "organisation type", "vendor type", "category", "sector"),
        required=False,
    ),
    Field(
        "sme",
        "SME flag",
        ("sme supplier", "sme", "sme flag", "is sme", "small or medium enterprise", "sme status"),
        required=False,
    ),
)
PAYROLL_FIELDS = (
    EMPLOYEE,
    Field(
        "postcode",
        "home postcode",
        ("home postcode", "home post code", "postcode", "post code", "employee postcode"),
    ),
    Field(
        "gross",
        "gross pay",
        ("gross pay", "gross", "gross salary", "total gross pay", "gross earnings", "pay", "salary"),
        kind="money",
    ),
    Field(
        "net", "net pay", ("net pay", "net", "net salary", "take home pay", "net earnings"), required=False
    ),
)
SUPPLIER_SURVEY_FIELDS = (SUPPLIER, SHARE)
STAFF_SURVEY_FIELDS = (EMPLOYEE, SHARE)


# NEF's staff form lists spending items including income tax, council tax, savings and loans; these are
# the categories of the template, each with a hint on what counts as "in the area"
STAFF_CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("housing", "Housing (rent or mortgage)", "in the area if your landlord or lender is based in it"),
    ("council_tax", "Council tax", "paid to your council: 100% if you live in the area"),
    ("utilities", "Energy, water and phone", "usually 0%: most suppliers are national"),
    ("food", "Food and groceries", "shops and markets in the area"),
    ("eating_out", "Eating and drinking out", "cafes, pubs and restaurants in the area"),
    ("travel", "Travel and transport", "local buses, taxis, garages; fuel at local stations"),
    ("leisure", "Leisure and entertainment", "clubs, gyms, venues and events in the area"),
    ("clothing", "Clothes and household goods", "shops in the area"),
    ("childcare", "Childcare and education", "nurseries, childminders, classes in the area"),
    ("savings", "Savings and pensions", "in the area only with a local credit union or society"),
    ("loans", "Loans and credit repayments", "in the area only with a local lender"),
    ("income_tax", "Income tax and National Insurance", "paid to national government: 0%"),
    ("other", "Anything else", "what of it is spent in the area"),
)
SUPPLIER_PARTS = (
    ("local_suppliers", "% of costs spent with suppliers based in the area (0-100)"),
    ("local_staff", "% of costs paid to staff who live in the area (0-100)"),
)
AMOUNT_HEADER = "£ a month"
LOCAL_HEADER = "% in the area (0-100)"

# a survey's respondent is named as the payments name a supplier, or as an organisation; its share may be
# absent when the form's parts or categories are given instead
SURVEY_SUPPLIER = replace(SUPPLIER, synonyms=(*SUPPLIER.synonyms, "organisation"))
SURVEY_SHARE = replace(SHARE, required=False)


def _part_fields() -> tuple[Field, ...]:
    return tuple(
        Field(name, header, (header, header.removesuffix(" (0-100)")), required=False)
        for name, header in SUPPLIER_PARTS
    )


def _category_fields() -> tuple[Field, ...]:
    out = []
    for key, label, _ in STAFF_CATEGORIES:
        out.append(
            Field(
                f"{key}__amount", f"{label}: {AMOUNT_HEADER}", (f"{label}: {AMOUNT_HEADER}",), required=False
            )
        )
        out.append(
            Field(
                f"{key}__local",
                f"{label}: {LOCAL_HEADER}",
                (f"{label}: {LOCAL_HEADER}", f"{label}: % in the area"),
                required=False,
            )
        )
    return tuple(out)


def survey_fields(group: str) -> tuple[Field, ...]:
    """The columns a survey of ``group`` ("suppliers" or "staff") may have; the respondent's is required."""
    if group == "suppliers":
        return (SURVEY_SUPPLIER, *_part_fields(), SURVEY_SHARE)
    return (EMPLOYEE, *_category_fields(), SURVEY_SHARE)
