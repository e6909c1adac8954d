"""The benches' own Postgres database, created on first use (shared by billing.py and feed.py)."""


def ensure_database(url: str) -> None:
    """Create the bench database if it doesn't exist (Postgres only)."""
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    if "postgresql" not in cfg["ENGINE"]:
        return
    params = {"host": cfg["HOST"] or None, "port": cfg["PORT"] or None,
              "user": cfg["USER"] or None, "password": cfg["PASSWORD"] or None}
    with psycopg.connect(dbname="postgres", autocommit=True,
                         **{k: v for k, v in params.items() if v}) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                        [cfg["NAME"]]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
