"""The SageMaker engine: training jobs fed from S3, schedules fired by EventBridge.

Kept empty so that naming the package does not import boto3.
"""
