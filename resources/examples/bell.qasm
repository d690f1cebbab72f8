// Bell state: a Hadamard and a CNOT entangle two qubits.
// Expect only 00 and 11, about half each.
OPENQASM 3.0;
include "stdgates.inc";

qubit[2] q;
bit[2] c;

h q[0];
cx q[0], q[1];
c = measure q;
