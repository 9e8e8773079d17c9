"""Every type a result of lm3's API holds or returns, in one place for annotations and ``isinstance``:
``lm3.types.Interval``, ``lm3.types.Responses``... The most used (``LM3Result``, ``LocateResult``,
``IngestResult``, ``BatchResult``, ``Notice``, ``Shift``...) are in ``lm3`` as well.
"""

from lm3.batch import BatchResult
from lm3.errors import Notice
from lm3.geo import Area, PostcodeDirectory, Tier
from lm3.inputs.companies_house import CompaniesHouseMatches
from lm3.inputs.ingest import IngestResult, TotalRow
from lm3.inputs.store import RegisterInfo, RegisterStore
from lm3.read.columns import Choice
from lm3.read.table import Table
from lm3.render.report import ReportFiles
from lm3.render.supplier_template import TemplateSummary
from lm3.render.survey_forms import SurveyTemplate
from lm3.rounds.coverage import Bounds, NotPlaced
from lm3.rounds.method import Assumption, DefaultShare, Responses
from lm3.rounds.uncertainty import Interval
from lm3.study.compare import Comparison
from lm3.study.locate import LocateResult
from lm3.study.options import Option, StudyOptions
from lm3.study.project import Project
from lm3.study.result import LM3Result, NonLocalRespend, ResultDetail
from lm3.study.rule import Rule
from lm3.study.scenarios import Scenarios, Shift
from lm3.study.scope import Excluded

__all__ = [
    "Area",
    "Assumption",
    "BatchResult",
    "Bounds",
    "Choice",
    "CompaniesHouseMatches",
    "Comparison",
    "DefaultShare",
    "Excluded",
    "IngestResult",
    "Interval",
    "LM3Result",
    "LocateResult",
    "NonLocalRespend",
    "NotPlaced",
    "Notice",
    "Option",
    "PostcodeDirectory",
    "Project",
    "RegisterInfo",
    "RegisterStore",
    "ReportFiles",
    "Responses",
    "ResultDetail",
    "Rule",
    "Scenarios",
    "Shift",
    "StudyOptions",
    "SurveyTemplate",
    "Table",
    "TemplateSummary",
    "Tier",
    "TotalRow",
]
