"""Kubernetes building blocks every role shares (builders.py), and manifests into Pulumi resources
(resources.py)."""
