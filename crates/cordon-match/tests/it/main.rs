//! Measured quality of the name matcher on the labelled dev set.

mod name_bench;
