"""Creates Celery's database backend tables (BENCH_BACKEND, a db+postgresql:// URL) the way its worker would on first
use (SQLAlchemy's create_all through the backend's session manager), so a drain does not time it. Prints one JSON line.
"""
import json

from bench_app import app


def main() -> None:
    session = app.backend.ResultSession()
    session.close()
    print(json.dumps({"created": True}))


if __name__ == "__main__":
    main()
