"""The drop-in gateway: ConsentGate in front of an image API, speaking that API's own shape."""
