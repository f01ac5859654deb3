using NeuralPhotoEdit.Optimisation;
using NeuralPhotoEdit.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Tests;

public class AdamOptimizerTests
{
    public AdamOptimizerTests() => TorchRuntime.EnsureInitialised();

    /// <summary>Our Adam exists only to avoid TorchSharp's finalizable scalars; its updates must be
    /// TorchSharp's to the bit, through learning-rate changes and a parameter without a gradient.</summary>
    [Fact]
    public void UpdatesAreTorchSharpsAdamToTheBit()
    {
        var generator = new Generator(11, CPU);
        var start = new[] { randn([5, 3], generator: generator), randn([7], generator: generator), randn([2], generator: generator) };
        var ours = start.Select(t => new Parameter(t.clone())).ToArray();
        var theirs = start.Select(t => new Parameter(t.clone())).ToArray();
        using var adam = new AdamOptimizer(ours, 2e-3, 0.5, 0.999);
        using var reference = optim.Adam(theirs, 2e-3, 0.5, 0.999);
        for (int step = 0; step < 6; step++)
        {
            double rate = step < 3 ? 2e-3 : 1e-3;
            adam.LearningRate = rate;
            foreach (var group in reference.ParamGroups) group.LearningRate = rate;
            foreach (var parameters in new[] { ours, theirs })
            {
                foreach (var p in parameters) p.grad = null;
                // The last parameter gets no gradient: Adam must leave it (and its step count) alone.
                var loss = (parameters[0].sin().sum() * parameters[1].Squared().sum()).sum();
                loss.backward();
            }
            adam.Step();
            reference.step();
        }
        static float[] Values(Tensor t) => t.detach().data<float>().ToArray();
        for (int i = 0; i < start.Length; i++) Assert.Equal(Values(theirs[i]), Values(ours[i]));
        Assert.NotEqual(Values(start[0]), Values(ours[0]));
        Assert.Equal(Values(start[2]), Values(ours[2]));
        Assert.Equal([6L, 6L, 0L], adam.States.Select(s => s.Step));
    }
}
