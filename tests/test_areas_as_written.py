"""Areas as people write them: lists in one text, postcode districts, and former councils and counties, alike
in the API, the CLI and the web page. The districts expected are written here from ONS's codes and the
orders that abolished each council, not from lm3's tables."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import SAMPLE

import lm3
from lm3.cli import cli

BERKSHIRE = {  # the six unitary authorities that replaced Berkshire County Council on 1 April 1998
    "E06000036",  # Bracknell Forest
    "E06000037",  # West Berkshire
    "E06000038",  # Reading
    "E06000039",  # Slough
    "E06000040",  # Windsor and Maidenhead
    "E06000041",  # Wokingham
}
CUMBRIA = {"E06000063", "E06000064"}  # Cumberland, Westmorland and Furness (1 April 2023)
WESTMORLAND_AND_FURNESS = "E06000064"  # Eden, South Lakeland and Barrow-in-Furness became it


@pytest.mark.parametrize(
    ("written", "codes"),
    [
        ("Bradford, Leeds", ["E08000032", "E08000035"]),
        ("Bradford; Leeds", ["E08000032", "E08000035"]),
        ("Bradford and Leeds", ["E08000032", "E08000035"]),
        ("Windsor and Maidenhead", ["E06000040"]),  # one district with "and" in its name
        ("Bristol, City of", ["E06000023"]),  # ONS's own name holds a comma
        ("Bristol, City of; Leeds", ["E06000023", "E08000035"]),
        ("Armagh City, Banbridge and Craigavon", ["N09000002"]),
    ],
)
def test_a_list_written_in_one_text_is_the_areas_it_names(written, codes):
    area = lm3.resolve_area(written)
    assert list(area.codes) == codes
    assert area.notes == ()


@pytest.mark.parametrize(
    ("written", "districts"),
    [("BD1, BD7", ("BD1", "BD7")), ("BD1; BD7 1", ("BD1", "BD7 1")), ("BD1 BD7", ("BD1", "BD7"))],
)
def test_postcode_districts_and_sectors_in_one_text(written, districts):
    assert lm3.resolve_area(written).postcode_areas == districts


def test_an_unknown_name_in_a_list_is_the_one_the_error_names():
    with pytest.raises(lm3.AreaError) as err:
        lm3.resolve_area("Bristol, City of, Bradfrd")
    assert err.value.code == "area-unknown"
    assert "'Bradfrd'" in str(err.value) and err.value.suggestions == ("Bradford (E08000032)",)


def test_former_counties_are_the_districts_that_replaced_them():
    berkshire = lm3.resolve_area("Berkshire")
    assert set(berkshire.codes) == BERKSHIRE and berkshire.name == "Berkshire"
    (note,) = berkshire.notes
    assert note.code == "area-former" and "1 April 1998" in note
    cumbria = lm3.resolve_area("Cumbria County Council")
    assert set(cumbria.codes) == CUMBRIA
    assert "1 April 2023" in cumbria.notes[0] and "Cumberland" in cumbria.notes[0]


@pytest.mark.parametrize("written", ["Eden", "South Lakeland", "Eden District Council", "E07000030"])
def test_a_former_district_is_studied_as_the_district_it_is_now_part_of_and_says_so(written):
    area = lm3.resolve_area(written)
    assert area.codes == (WESTMORLAND_AND_FURNESS,)
    assert area.name == "Westmorland and Furness"  # never labelled as the smaller, former district
    (note,) = area.notes
    assert note.code == "area-former" and "wider" in note and "Westmorland and Furness" in note


def test_a_former_district_in_a_study_gives_the_figure_of_its_successor_with_a_warning():
    # the sample's Skipton (BD23) supplier was in Craven, now North Yorkshire
    named = lm3.load_project(SAMPLE).with_options(area="Bradford, Craven").calculate()
    today = lm3.load_project(SAMPLE).with_options(area=("Bradford", "North Yorkshire")).calculate()
    assert (named.round1, named.round2, named.round3) == (today.round1, today.round2, today.round3)
    assert named.area.codes == today.area.codes
    assert [w.code for w in named.warnings if w.code == "area-former"] == ["area-former"]
    assert any(w["code"] == "area-former" for w in named.to_dict()["warnings"])


def test_the_cli_takes_a_list_in_one_option_and_prints_what_a_former_council_is_now():
    runner = CliRunner()
    listed = runner.invoke(cli, ["calculate", str(SAMPLE), "--json", "--area", "Bradford, Leeds"])
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.output)["area_codes"] == ["E08000032", "E08000035"]
    former = runner.invoke(cli, ["calculate", str(SAMPLE), "--area", "Bradford, Craven"])
    assert former.exit_code == 0, former.output
    assert "Craven was a district until 1 April 2023; it is now part of North Yorkshire" in former.output


def test_a_tier_takes_a_list_as_written_names_with_commas_included():
    (tier,) = lm3.frontend.resolve_tiers(
        ["West Yorkshire=Bristol, City of; Leeds and Calderdale"], lm3.resolve_area("Leeds")
    )
    assert tier.name == "West Yorkshire" and tier.area.codes == ("E06000023", "E08000035", "E08000033")


def test_a_spend_file_given_where_a_project_goes_says_to_give_it_as_the_payments(tmp_path):
    said = CliRunner().invoke(cli, ["locate", str(SAMPLE / "payments.xlsx"), "--area", "Bradford"])
    assert said.exit_code != 0 and "is a file, not a project" in said.output and "--payments" in said.output
    assert "UTF-8" not in said.output
