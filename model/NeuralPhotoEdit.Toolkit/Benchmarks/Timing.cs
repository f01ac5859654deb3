using System.Diagnostics;

namespace NeuralPhotoEdit.Benchmarks;

/// <summary>How every benchmark times work: untimed warm-up runs first (the first calls pay for
/// allocation and kernel selection), then the median and the fastest of the timed runs, in ms.</summary>
public static class Timing
{
    public static (double Median, double Fastest) Measure(int repeats, Action action, int warmup = 1)
    {
        for (int i = 0; i < warmup; i++) action();
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            action();
            times[i] = watch.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return (times[repeats / 2], times[0]);
    }

    public static double Median(int repeats, Action action) => Measure(repeats, action).Median;
}
