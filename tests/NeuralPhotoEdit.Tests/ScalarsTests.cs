using TorchSharp;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Tests;

public class ScalarsTests
{
    public ScalarsTests() => TorchRuntime.EnsureInitialised();

    [Fact]
    public void ScalarsAreCachedAndKeepTheirValue()
    {
        // The same object every time: a cached scalar is never finalized while libtorch reads it.
        Assert.Same(Scalars.Of(0.2), Scalars.Of(0.2));
        Assert.Same(Scalars.One, Scalars.Of(1));
        Assert.Equal(0.2, Scalars.Of(0.2).ToDouble());
        Assert.Equal(-3.5, Scalars.Of(-3.5).ToDouble());
        using var x = ones(3);
        Assert.Equal(2.5f, x.mul(Scalars.Of(2.5))[0].item<float>());
    }
}
