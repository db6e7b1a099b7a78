"""The load test: locust playing the demo roles against the app over HTTP (see harness.py)."""
