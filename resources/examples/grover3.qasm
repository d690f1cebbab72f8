// Grover search on 3 qubits for the marked state |101>, two iterations.
// Expect 101 with probability about 0.945.
OPENQASM 3.0;
include "stdgates.inc";

// Flip the phase of |101> (q[2]=1, q[1]=0, q[0]=1).
gate oracle a, b, c {
  x b;
  h c;
  ccx a, b, c;
  h c;
  x b;
}

// Inversion about the mean.
gate diffuser a, b, c {
  h a; h b; h c;
  x a; x b; x c;
  h c;
  ccx a, b, c;
  h c;
  x a; x b; x c;
  h a; h b; h c;
}

qubit[3] q;
bit[3] c;

h q;
for int i in [1:2] {
  oracle q[0], q[1], q[2];
  diffuser q[0], q[1], q[2];
}
c = measure q;
