"""ConsentGate: a safety gateway against non-consensual intimate imagery and CSAM."""
