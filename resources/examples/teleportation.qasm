// Quantum teleportation with mid-circuit measurement and classical control.
// Alice's qubit q[0] is prepared with ry(theta); its state is teleported to Bob's q[2], then undone
// with ry(-theta). Bob's result (c[2], the leftmost character) is always 0; c[0] and c[1]
// (Alice's measurements) are random.
OPENQASM 3.0;
include "stdgates.inc";

const float theta = 1.1;

qubit[3] q;
bit[3] c;

// The state to teleport.
ry(theta) q[0];

// Entangled pair shared by Alice (q[1]) and Bob (q[2]).
h q[1];
cx q[1], q[2];

// Alice's Bell measurement, in the middle of the circuit.
cx q[0], q[1];
h q[0];
c[0] = measure q[0];
c[1] = measure q[1];

// Bob's corrections depend on Alice's results.
if (c[1] == true) {
  x q[2];
}
if (c[0] == true) {
  z q[2];
}

// Undo the preparation: Bob's qubit returns to |0>.
ry(-theta) q[2];
c[2] = measure q[2];
