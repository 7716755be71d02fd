"""Unit tests of the clinical core: rules, instruments, state, protocol and properties."""
