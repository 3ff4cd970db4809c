"""boto3 (botocore 1.29, the SQS Query protocol) against the q SQS emulator, for e2e/test/sqs-emulator.

Usage: sqs_boto3_client.py ENDPOINT QUEUE_URL QUEUE_NAME_PREFIX
Receives the message the Node side sent to QUEUE_URL, makes it visible again (ChangeMessageVisibility), receives it a
second time, deletes it, sends one back with a message attribute, and looks queues up (ListQueues by prefix,
GetQueueUrl, a missing queue); then batches, queue attributes, purge and delete on a queue of its own (`<prefix>batch`).
Prints one JSON line with what it saw.
"""
import json
import sys

import boto3
from botocore.exceptions import ClientError

endpoint, queue_url, prefix = sys.argv[1:4]
sqs = boto3.client('sqs', endpoint_url=endpoint, region_name='us-east-1',
                   aws_access_key_id='test', aws_secret_access_key='test')
out = {}


def receive():
    resp = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=1, WaitTimeSeconds=5,
                               AttributeNames=['All'], MessageAttributeNames=['All'])
    return resp.get('Messages', [])


first = receive()
out['first'] = [{'id': m['MessageId'], 'body': m['Body'], 'md5': m['MD5OfBody'],
                 'attributes': m.get('Attributes', {}), 'message_attributes': m.get('MessageAttributes', {})}
                for m in first]
sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=first[0]['ReceiptHandle'], VisibilityTimeout=0)
second = receive()
out['second'] = [{'id': m['MessageId'], 'receive_count': m['Attributes']['ApproximateReceiveCount']} for m in second]
sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=second[0]['ReceiptHandle'])
out['left'] = sqs.get_queue_attributes(
    QueueUrl=queue_url, AttributeNames=['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'])['Attributes']

sent = sqs.send_message(QueueUrl=queue_url, MessageBody='from boto3 \u00e9\r\n<&>',
                        MessageAttributes={'origin': {'DataType': 'String', 'StringValue': 'boto3'}})
out['sent'] = {'id': sent['MessageId'], 'md5': sent['MD5OfMessageBody']}

out['listed'] = sqs.list_queues(QueueNamePrefix=prefix).get('QueueUrls', [])
out['url'] = sqs.get_queue_url(QueueName=queue_url.rsplit('/', 1)[1])['QueueUrl']
try:
    sqs.get_queue_url(QueueName=prefix + 'missing')
    out['missing'] = None
except ClientError as exc:
    out['missing'] = {'code': exc.response['Error']['Code'], 'status': exc.response['ResponseMetadata']['HTTPStatusCode'],
                      'is_queue_does_not_exist': isinstance(exc, sqs.exceptions.QueueDoesNotExist)}
try:
    sqs.create_queue(QueueName=queue_url.rsplit('/', 1)[1], Attributes={'VisibilityTimeout': '1'})
    out['exists'] = None
except sqs.exceptions.QueueNameExists as exc:
    out['exists'] = exc.response['Error']['Code']

# Batches, queue attributes, purge and delete, on a queue of its own.
batch_url = sqs.create_queue(QueueName=prefix + 'batch', Attributes={'VisibilityTimeout': '60'})['QueueUrl']
sent_batch = sqs.send_message_batch(QueueUrl=batch_url, Entries=[
    {'Id': 'a', 'MessageBody': 'one', 'MessageAttributes': {'k': {'DataType': 'String', 'StringValue': 'v'}}},
    {'Id': 'b', 'MessageBody': 'two', 'DelaySeconds': 0},
])
got = sqs.receive_message(QueueUrl=batch_url, MaxNumberOfMessages=10, WaitTimeSeconds=2).get('Messages', [])
changed = sqs.change_message_visibility_batch(QueueUrl=batch_url, Entries=[
    {'Id': str(i), 'ReceiptHandle': m['ReceiptHandle'], 'VisibilityTimeout': 0} for i, m in enumerate(got)] + [
    {'Id': 'bogus', 'ReceiptHandle': 'not-a-receipt-handle', 'VisibilityTimeout': 0}])
again = sqs.receive_message(QueueUrl=batch_url, MaxNumberOfMessages=10, WaitTimeSeconds=2).get('Messages', [])
deleted = sqs.delete_message_batch(QueueUrl=batch_url, Entries=[
    {'Id': str(i), 'ReceiptHandle': m['ReceiptHandle']} for i, m in enumerate(again)])
sqs.set_queue_attributes(QueueUrl=batch_url, Attributes={'DelaySeconds': '3'})
sqs.send_message(QueueUrl=batch_url, MessageBody='purged')
attrs = sqs.get_queue_attributes(QueueUrl=batch_url, AttributeNames=['DelaySeconds', 'ApproximateNumberOfMessagesDelayed'])['Attributes']
sqs.purge_queue(QueueUrl=batch_url)
after_purge = sqs.get_queue_attributes(QueueUrl=batch_url, AttributeNames=['All'])['Attributes']
sqs.delete_queue(QueueUrl=batch_url)
out['batch'] = {
    'sent': sorted(e['Id'] for e in sent_batch.get('Successful', [])),
    'received': sorted(m['Body'] for m in got),
    'changed': sorted(e['Id'] for e in changed.get('Successful', [])),
    'again': sorted(m['Body'] for m in again),
    'change_failed': [[e['Id'], e['Code'], e['SenderFault']] for e in changed.get('Failed', [])],
    'deleted': sorted(e['Id'] for e in deleted.get('Successful', [])),
    'attributes': attrs,
    'after_purge': [after_purge['ApproximateNumberOfMessages'], after_purge['ApproximateNumberOfMessagesDelayed']],
    'listed_after_delete': sqs.list_queues(QueueNamePrefix=prefix + 'batch').get('QueueUrls', []),
}
print(json.dumps(out), flush=True)
