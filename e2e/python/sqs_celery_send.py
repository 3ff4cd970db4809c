"""Sends `h1.touch(PATH, TEXT)` with `send_task` through the SQS emulator (see sqs_celery_app.py); prints the id."""
import sys

from sqs_celery_app import app

result = app.send_task('h1.touch', args=[sys.argv[1], sys.argv[2]])
print(result.id, flush=True)
