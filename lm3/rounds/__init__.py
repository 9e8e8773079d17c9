"""The rounds: the LM3 method as pure functions (round 3, published defaults), the bootstrap interval and the
sensitivity to each assumption. A sibling of ``inputs`` and ``place``."""
