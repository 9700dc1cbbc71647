"""`make run`'s .env: secrets made once and kept, port-derived values and default scopes rewritten every run."""

import pytest
from dotenv import dotenv_values

from jumpseller_app import config, devenv

PORT_KEYS = ("APP_URL", "JUMPSELLER_ACCOUNTS_URL", "JUMPSELLER_API_URL", "SANDBOX_ADMIN_ORIGINS")


@pytest.fixture
def project(tmp_path, monkeypatch):
    """devenv pointed at an empty project folder; returns a function running it on given ports."""
    monkeypatch.setattr(devenv, "ROOT", tmp_path)

    def run(port, sandbox_port):
        monkeypatch.setenv("PORT", str(port))
        monkeypatch.setenv("SANDBOX_PORT", str(sandbox_port))
        assert devenv.main() == 0
        return dotenv_values(tmp_path / ".env")
    return run


def test_other_ports_rewrite_the_urls_and_keep_the_secrets(project, tmp_path):
    first = project(5000, 5001)
    assert first["APP_URL"] == "http://localhost:5000"
    assert (tmp_path / ".env").stat().st_mode & 0o777 == 0o600
    second = project(5400, 5401)
    assert (second["APP_URL"], second["JUMPSELLER_ACCOUNTS_URL"], second["JUMPSELLER_API_URL"],
            second["SANDBOX_ADMIN_ORIGINS"]) == ("http://localhost:5400", "http://127.0.0.1:5401",
                                                 "http://127.0.0.1:5401/v1", "http://127.0.0.1:5401")
    for secret in ("SECRET_KEY", "TOKEN_ENCRYPTION_KEYS"):
        assert second[secret] == first[secret] and len(first[secret]) >= 32
    # The app reads the new ports from it (the admin on 5401 may frame the app on 5400).
    loaded = config.load_config({**second, "APP_ENV": "development"})
    assert loaded["APP_URL"] == "http://localhost:5400" and "http://127.0.0.1:5401" in loaded["SANDBOX_ADMIN_ORIGINS"]
    assert "5000" not in (tmp_path / ".env").read_text() and "5001" not in (tmp_path / ".env").read_text()


def test_an_old_env_gets_the_features_scopes_and_keeps_its_own_lines(project, tmp_path):
    (tmp_path / ".env").write_text("# mine\nAPP_ENV=development\nSECRET_KEY=keep-me-0123456789\n"
                                   "TOKEN_ENCRYPTION_KEYS=old-key\nAPP_URL=http://localhost:5000\n"
                                   "LOG_LEVEL=DEBUG\n")
    values = project(5002, 5003)
    assert values["JUMPSELLER_SCOPES"] == config.DEFAULT_SCOPES
    assert (values["SECRET_KEY"], values["TOKEN_ENCRYPTION_KEYS"], values["LOG_LEVEL"]) == \
        ("keep-me-0123456789", "old-key", "DEBUG")
    assert values["APP_URL"] == "http://localhost:5002"
    text = (tmp_path / ".env").read_text()
    assert text.startswith("# mine\n") and text.count("APP_URL=") == 1


def test_default_scopes_follow_the_features_but_a_developers_choice_is_kept(project, tmp_path, monkeypatch):
    project(5000, 5001)
    env = tmp_path / ".env"
    # The features changed since the last run: make run's own default follows them.
    env.write_text(env.read_text().replace(config.DEFAULT_SCOPES, "read_store read_products"))
    assert project(5000, 5001)["JUMPSELLER_SCOPES"] == config.DEFAULT_SCOPES
    # The developer asks for something else: kept, whatever the features say.
    text = env.read_text()
    own = text.replace(f"JUMPSELLER_SCOPES={config.DEFAULT_SCOPES}", "JUMPSELLER_SCOPES=read_store write_products")
    env.write_text(own)
    monkeypatch.setattr(devenv, "DEFAULT_SCOPES", "read_store read_products read_orders read_customers read_hooks")
    assert project(5000, 5001)["JUMPSELLER_SCOPES"] == "read_store write_products"
