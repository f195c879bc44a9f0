"""Production mode's rules: which settings still hold a development value, what each process
refuses in production, and that development mode refuses nothing (the processes themselves
are started in tests/deploy/test_production_mode.py)."""

import pytest

from onceonly.production import (
    development_settings,
    production_problems,
    refuse_development_settings,
    refuse_production_up,
)
from onceonly.settings import Settings
from tests.production import DEVELOPMENT_VALUES, own_secrets, settings_from


def test_the_defaults_are_development_values_every_one():
    # None is published beside the signing key by default, and the statistics take today.
    unset = {"ONCEONLY_RECEIPT_VERIFICATION_KEYS", "ONCEONLY_STATISTICS_AS_OF"}
    defaults = set(DEVELOPMENT_VALUES) - unset
    assert set(development_settings(settings_from({}))) == defaults


def test_settings_of_ones_own_with_a_database_pass_the_check(capsys):
    settings = settings_from(own_secrets())
    assert development_settings(settings) == []
    for process in ("api", "worker", "codec-server", "setup"):
        assert production_problems(settings, process) == {}
        refuse_development_settings(settings, process)  # returns: nothing refused
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("name", sorted(DEVELOPMENT_VALUES))
def test_each_development_value_is_found_alone(name):
    settings = settings_from(DEVELOPMENT_VALUES[name](own_secrets()))
    assert development_settings(settings) == [name]


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("ONCEONLY_AGENCY_CALLBACK_SECRETS", "development values for ird;"),
        ("ONCEONLY_AGENCY_API_KEYS", "development values for ird;"),
        ("ONCEONLY_PAYLOAD_KEYS", "holds the development key"),
        ("ONCEONLY_PORTAL_DEV_LOGIN", "set it to false"),
        ("ONCEONLY_STATISTICS_AS_OF", "publish a month before it has ended); unset it"),
    ],
)
def test_the_reason_says_what_is_wrong_and_what_to_do(name, said, capsys):
    settings = settings_from(DEVELOPMENT_VALUES[name](own_secrets()))
    with pytest.raises(SystemExit) as exit_:
        refuse_development_settings(settings, "worker")
    assert exit_.value.code == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"onceonly worker: refusing to start in production: {name} ")
    assert said in line


def test_every_development_setting_gets_its_own_line(capsys):
    with pytest.raises(SystemExit):
        refuse_development_settings(settings_from({"ONCEONLY_ENVIRONMENT": "production"}), "api")
    lines = capsys.readouterr().err.splitlines()
    named = [line.split(": ")[2].split()[0] for line in lines]
    assert named == [*development_settings(settings_from({})), "ONCEONLY_DATABASE_URL"]


@pytest.mark.parametrize(("process", "needs_database"), [
    ("api", True), ("worker", True), ("setup", True), ("codec-server", False),
])  # fmt: skip
def test_the_processes_that_keep_state_need_the_database(process, needs_database):
    env = own_secrets()
    del env["ONCEONLY_DATABASE_URL"]
    problems = production_problems(settings_from(env), process)
    assert ("ONCEONLY_DATABASE_URL" in problems) is needs_database
    assert set(problems) <= {"ONCEONLY_DATABASE_URL"}


def test_development_mode_refuses_nothing_and_up_runs_only_there(capsys):
    development = Settings(environment="development")
    assert development_settings(development)  # the defaults: up's banner warns of them
    refuse_development_settings(development, "api")
    refuse_production_up(development)
    with pytest.raises(SystemExit) as exit_:
        refuse_production_up(settings_from(own_secrets()))
    assert exit_.value.code == 2
    assert "ONCEONLY_ENVIRONMENT is production, and `up` is the development stack" in (
        capsys.readouterr().err
    )


def test_a_malformed_key_is_left_to_the_rule_that_reads_it():
    env = {**own_secrets(), "ONCEONLY_PAYLOAD_KEYS": "nokey", "ONCEONLY_RECEIPT_SIGNING_KEY": "x"}
    assert development_settings(settings_from(env)) == []
