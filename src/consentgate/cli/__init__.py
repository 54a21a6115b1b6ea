"""The command-line shell: parse, call the engine or a service object, render."""
