/** npm run bench: the benchmark suite (see bench/README.md). */
console.log('benchmarks: not yet written');
