"""Red-team assessment of an image endpoint, or of ConsentGate's own gate.

The suite (seed requests from our prompt set's test split, disguised by
mutators, with benign source photos) is sent to a target one request at a
time; each answer is classed as refused or generated, a generated image is
screened by our image detectors, and the results become a report (JSON for
machines and CI, HTML for people). See docs/assess.md.
"""
