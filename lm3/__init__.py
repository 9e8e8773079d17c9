"""lm3: the Local Multiplier 3 (NEF) of an organisation's spending in its local economy.

    >>> import lm3
    >>> result = lm3.load_project("data/samples/bradford-trident").calculate()
    >>> result.headline
    'Every £1 spent by Bradford Trident (illustrative sample) creates £2.52 for Bradford (90% interval £2.51-£2.53, 7 supplier and 10 staff responses).'

``lm3.calculate(payments, suppliers, area=..., ...)`` does the same from files or DataFrames, and
``lm3.ingest(path)`` reads a spend file as published, accounting for every row; ``lm3.locate`` says where
the money goes; ``lm3.write_supplier_template`` and ``lm3.match_companies_house`` help place more suppliers.
``lm3.write_survey_template`` / ``lm3.read_survey`` collect round 3's answers; ``result.scenarios(...)`` and
``lm3.compare`` ask what if; ``lm3.charts`` draws a result and ``lm3.write_report`` writes report.html,
report.xlsx, charts and JSON.
"""

from lm3._calculate import calculate
from lm3._companies_house import CompaniesHouseMatches, match_companies_house
from lm3._errors import AreaError, InputError, LM3Error, MethodError, RowErrors
from lm3._ingest import IngestResult, TotalRow, ingest
from lm3._inputs import read_registers
from lm3._locate import LocateResult, locate
from lm3._method import Assumption
from lm3._places import Area, PostcodeDirectory, Tier, resolve_area, resolve_tiers
from lm3._project import Project, load_project
from lm3._report import ReportFiles, write_report
from lm3._result import LM3Result
from lm3._scenario import Shift, compare, parse_shift, scenarios
from lm3._survey import SurveyTemplate, read_survey, write_survey_template
from lm3._template import write_supplier_template

__version__ = "0.1.0"

__all__ = [
    "Area",
    "AreaError",
    "Assumption",
    "CompaniesHouseMatches",
    "IngestResult",
    "InputError",
    "LM3Error",
    "LM3Result",
    "LocateResult",
    "MethodError",
    "PostcodeDirectory",
    "Project",
    "ReportFiles",
    "RowErrors",
    "Shift",
    "SurveyTemplate",
    "Tier",
    "TotalRow",
    "calculate",
    "compare",
    "ingest",
    "load_project",
    "locate",
    "match_companies_house",
    "parse_shift",
    "read_registers",
    "read_survey",
    "resolve_area",
    "resolve_tiers",
    "scenarios",
    "write_report",
    "write_supplier_template",
    "write_survey_template",
]
