"""HTTP throughput of our endpoints as ratios to a bare Django view (see README.md)."""
