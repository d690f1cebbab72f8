// Quantum Fourier transform on 4 qubits, then its inverse, applied to |0101> (= 5).
// QFT followed by inverse QFT is the identity: expect 0101 every shot.
OPENQASM 3.0;
include "stdgates.inc";

const int n = 4;

// QFT with qubit n-1 as the most significant bit (no final swaps).
gate qft4 a, b, c, d {
  h d;
  cp(pi/2) c, d;
  cp(pi/4) b, d;
  cp(pi/8) a, d;
  h c;
  cp(pi/2) b, c;
  cp(pi/4) a, c;
  h b;
  cp(pi/2) a, b;
  h a;
}

qubit[n] q;
bit[n] c;

// Prepare |5> = 0101: qubits 0 and 2 set.
x q[0];
x q[2];

qft4 q[0], q[1], q[2], q[3];
inv @ qft4 q[0], q[1], q[2], q[3];

c = measure q;
