using NeuralPhotoEdit.Evaluation;
using NeuralPhotoEdit.ModelFiles;
using NeuralPhotoEdit.Networks;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Tests;

/// <summary>The code an edit starts from: the encoder's mean, refined toward the photo.</summary>
public class PhotoCodesTests
{
    public PhotoCodesTests() => TorchRuntime.EnsureInitialised();

    static double[] SquaredErrors(IntrospectiveAdversarialNetwork network, Tensor photos, Tensor codes)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return (network.Decode(codes) - photos).Squared().mean([1, 2, 3]).data<float>().Select(e => (double)e).ToArray();
    }

    [Fact]
    public void RefiningBringsTheShippedModelsReconstructionCloserToRealPhotos()
    {
        using var model = ModelFile.Open(null, "cpu");
        using var scope = NewDisposeScope();
        var photos = ReconstructionEvaluation.LoadCrops(TestSupport.FixturePhotos, model.Config.ImageSize, 24, 0);

        var encoder = PhotoCodes.Encode(model.Network, photos, 0);
        using (no_grad()) Assert.Equal(model.Network.Encode(photos).Mean.data<float>().ToArray(), encoder.data<float>().ToArray());
        var refined = PhotoCodes.Encode(model.Network, photos, PhotoCodes.DefaultRefinementSteps);

        var before = SquaredErrors(model.Network, photos, encoder);
        var after = SquaredErrors(model.Network, photos, refined);
        // Every crop gets closer, and on average by a clear margin (PSNR is −10·log10 of the error).
        for (int i = 0; i < before.Length; i++) Assert.True(after[i] < before[i], $"crop {i}: {before[i]:E3} → {after[i]:E3}");
        double gainDb = before.Zip(after, (b, a) => 10 * Math.Log10(b / a)).Average();
        Assert.True(gainDb > 0.5, $"mean gain {gainDb:F2} dB");
        // Only the code is optimised: the shared model's weights get no gradient.
        Assert.All(model.Network.parameters(), p => Assert.Null(p.grad));
    }

    /// <summary>Adam overshoots when its step is too long for the decoder; each photo then keeps the
    /// closest code it has seen, so refining never leaves a photo farther from its picture than the
    /// encoder's code did (a step of 1 overshoots on the fixture crops: without keeping the closest,
    /// the first crop ended with 6 times its error).</summary>
    [Fact]
    public void RefiningNeverLeavesAPhotoFartherThanTheEncodersCode()
    {
        using var model = ModelFile.Open(null, "cpu");
        using var scope = NewDisposeScope();
        var photos = ReconstructionEvaluation.LoadCrops(TestSupport.FixturePhotos, model.Config.ImageSize, 24, 0);
        var before = SquaredErrors(model.Network, photos, PhotoCodes.Encode(model.Network, photos, 0));
        var after = SquaredErrors(model.Network, photos, PhotoCodes.Encode(model.Network, photos, 5, learningRate: 1));
        for (int i = 0; i < before.Length; i++) Assert.True(after[i] <= before[i], $"crop {i}: {before[i]:E3} → {after[i]:E3}");
    }

    [Fact]
    public void EachPhotosCodeIsRefinedOnItsOwn()
    {
        using var model = ModelFile.Open(null, "cpu");
        using var scope = NewDisposeScope();
        var photos = ReconstructionEvaluation.LoadCrops(TestSupport.FixturePhotos, model.Config.ImageSize, 3, 1);
        var together = PhotoCodes.Encode(model.Network, photos, 5);
        for (int i = 0; i < 3; i++)
        {
            var alone = PhotoCodes.Encode(model.Network, photos[i..(i + 1)], 5);
            Assert.True(allclose(together[i..(i + 1)], alone, rtol: 1e-4, atol: 1e-4), $"photo {i}");
        }
    }

    [Fact]
    public void StepCountsOutsideTheRangeAreRefused()
    {
        Assert.Throws<UserInputException>(() => PhotoCodes.CheckSteps(-1));
        Assert.Throws<UserInputException>(() => PhotoCodes.CheckSteps(PhotoCodes.MaxRefinementSteps + 1));
        PhotoCodes.CheckSteps(0);
    }
}
