// Bernstein-Vazirani (OpenQASM 2): find the hidden string s = 1011 with one query.
// The oracle computes s.x into the ancilla q[4]. Expect 1011 every shot.
OPENQASM 2.0;
include "qelib1.inc";

qreg q[5];
creg c[4];

// Ancilla in |->.
x q[4];
h q[4];
h q[0];
h q[1];
h q[2];
h q[3];
barrier q;
// Oracle for s = 1011 (bit 0 is the rightmost character): CNOT from each qubit i with s_i = 1.
cx q[0], q[4];
cx q[1], q[4];
cx q[3], q[4];
barrier q;
h q[0];
h q[1];
h q[2];
h q[3];
measure q[0] -> c[0];
measure q[1] -> c[1];
measure q[2] -> c[2];
measure q[3] -> c[3];
