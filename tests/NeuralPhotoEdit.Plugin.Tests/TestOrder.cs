// The tests measure what one effect reads and allocates (process-wide counters) and time its cancellation:
// another test's edit running beside them would count too. One test at a time, as Paint.NET runs one effect.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
