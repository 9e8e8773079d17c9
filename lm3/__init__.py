"""lm3: the Local Multiplier 3 (NEF) of an organisation's spending in its local economy.

    >>> import lm3
    >>> result = lm3.load_project(lm3.sample()).calculate()
    >>> result.headline
    'Every £1 spent by Bradford Trident (illustrative sample) creates £2.52 for Bradford (90% interval £2.51-£2.53, 7 supplier and 10 staff responses).'

``lm3.calculate(payments, suppliers, area=..., ...)`` does the same from files or DataFrames, and
``lm3.ingest(path)`` reads a spend file as published, accounting for every row; ``lm3.locate`` says where
the money goes, and where each supplier's place came from (your registers, the spend file's own postcodes
and numbers, the open registers in ``lm3.registers``, lm3's public bodies); ``lm3.write_supplier_template``
and ``lm3.match_companies_house`` help place more suppliers.
``lm3.write_survey_template`` / ``lm3.read_survey`` collect round 3's answers; ``result.scenarios(...)`` and
``lm3.compare`` ask what if; ``lm3.charts`` draws a result and ``lm3.write_report`` writes report.html,
report.xlsx, charts and JSON; ``lm3.to_json`` writes any result as JSON (docs/json.md).
"""

from lm3 import codes as codes  # a module: every code lm3 gives, with its meaning (lm3.codes.CODES)
from lm3 import frontend as frontend  # a module: what only front ends need (lm3.frontend.area_names...)
from lm3 import options as options  # a module: the declared options of a study, lm3.options.declared()
from lm3 import registers as registers  # a module: lm3.registers.add(...), .download(...)
from lm3 import types as types  # a module: every type a result holds (lm3.types.Interval...)
from lm3.batch import BatchResult, batch
from lm3.errors import AreaError, InputError, LM3Error, MethodError, Notice, RowErrors
from lm3.geo import PostcodeDirectory, resolve_area
from lm3.inputs.companies_house import index_companies_house, match_companies_house
from lm3.inputs.ingest import IngestResult, ingest
from lm3.inputs.readers import read_registers
from lm3.inputs.store import RegisterStore
from lm3.inputs.surveys import read_survey
from lm3.render.report import write_report
from lm3.render.supplier_template import write_supplier_template
from lm3.render.survey_forms import write_survey_template
from lm3.render.workbook import write_table
from lm3.rounds.method import published_rates
from lm3.study.calculate import calculate
from lm3.study.compare import compare
from lm3.study.locate import LocateResult, local_suppliers, locate, suppliers_to_look_up
from lm3.study.options import StudyOptions
from lm3.study.project import Project, load_project, sample
from lm3.study.result import LM3Result
from lm3.study.scenarios import Shift, scenarios
from lm3.values.jsontext import to_json
from lm3.values.money import format_gbp

__version__ = "0.1.0"

__all__ = [
    "AreaError",
    "BatchResult",
    "IngestResult",
    "InputError",
    "LM3Error",
    "LM3Result",
    "LocateResult",
    "MethodError",
    "Notice",
    "PostcodeDirectory",
    "Project",
    "RegisterStore",
    "RowErrors",
    "Shift",
    "StudyOptions",
    "batch",
    "calculate",
    "compare",
    "format_gbp",
    "index_companies_house",
    "ingest",
    "load_project",
    "local_suppliers",
    "locate",
    "match_companies_house",
    "published_rates",
    "read_registers",
    "read_survey",
    "resolve_area",
    "sample",
    "scenarios",
    "suppliers_to_look_up",
    "to_json",
    "write_report",
    "write_supplier_template",
    "write_survey_template",
    "write_table",
]
