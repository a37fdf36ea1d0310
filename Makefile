# The two commands a newcomer needs: `make run` and `make test` (see README.md).
.PHONY: run demo test lint schema messages bench clean

run:  ## set everything up and start web, Celery worker and beat, and a private Redis
	@scripts/run.sh

demo:  ## the same, with a demo family loaded so there is something to see at once
	@scripts/run.sh --demo

test:  ## install what the tests need, then ruff, mypy and pytest (PostgreSQL, then SQLite)
	@scripts/test.sh

lint:  ## ruff and mypy only, on the tree as it is (no installs, no tests)
	@.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy .

schema:  ## after an API change: export the OpenAPI schema to the PWA and regenerate its types
	@scripts/schema.sh

messages:  ## after changing a marked string: refresh locale/es/.../django.po, translate, run again
	@DJANGO_ENV=test .venv/bin/python manage.py makemessages -l es --no-location \
		-i 'frontend/*' -i 'tests/*' -i 'benchmarks/*' -i 'docs/*' -i 'scripts/*'
	@msgfmt --check -o locale/es/LC_MESSAGES/django.mo locale/es/LC_MESSAGES/django.po

bench:  ## HTTP benchmarks, as ratios to a bare Django view in the same run
	@.venv/bin/python benchmarks/http/run.py

clean:  ## remove the virtualenv, built frontend and local data
	rm -rf .venv frontend/node_modules frontend/dist data
