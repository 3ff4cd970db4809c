"""A Python Celery app on the q SQS emulator (kombu's SQS transport: boto3 plus its pycurl ReceiveMessage).

The broker comes from SQS_BROKER (`sqs://test:test@127.0.0.1:<port>`); `h1.touch(path, text)` writes `text` to `path`.
"""
import os

from celery import Celery

app = Celery('sqs_celery_app', broker=os.environ['SQS_BROKER'])
app.conf.update(
    broker_transport_options={'region': 'us-east-1', 'wait_time_seconds': 1, 'queue_name_prefix': 'h1-'},
    task_serializer='json',
    accept_content=['json'],
    worker_enable_remote_control=False,
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
)


@app.task(name='h1.touch')
def touch(path, text):
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)
    return text
