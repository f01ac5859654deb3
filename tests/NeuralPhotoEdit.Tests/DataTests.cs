using NeuralPhotoEdit.Data;
using NeuralPhotoEdit.Evaluation;
using NeuralPhotoEdit.Training;

namespace NeuralPhotoEdit.Tests;

public class DataTests
{
    const string Copyright = """
        Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/

        Files: images/land/*
        Copyright: Various
        License: public-domain
         Taken from morgue-file.com.

        Files: images/land/bwerner*
        Copyright: Berthold Werner
        License: CC-BY-SA-3.0

        Files:
         images/land/badlands0*
         images/land/beach4*
        Copyright: Various
        License: public-domain
        """;

    [Fact]
    public void TheLastMatchingCopyrightParagraphWins()
    {
        var dep5 = new Dep5Copyright(Copyright);
        Assert.Equal("public-domain", dep5.Find("images/land/canyon1@2x.jpg")!.License);
        Assert.Equal("CC-BY-SA-3.0", dep5.Find("images/land/bwerner4@2x.jpg")!.License);
        Assert.Equal("Berthold Werner", dep5.Find("images/land/bwerner4@2x.jpg")!.Copyright);
        Assert.Equal("public-domain", dep5.Find("images/land/beach4@2x.jpg")!.License);
        Assert.Null(dep5.Find("sounds/boom.wav"));
    }

    [Fact]
    public void TheSplitIsByPhotoAndStable()
    {
        var names = Enumerable.Range(0, 1000).Select(i => $"photo{i}@2x.jpg").ToList();
        int heldOut = names.Count(DebianPhotoFetcher.IsHeldOut);
        Assert.InRange(heldOut, 60, 140);   // about one in ten
        // Stable: the shipped model's held-out photos stay held out (a changed hash would leak them
        // into training and make every evaluation figure meaningless).
        foreach (var name in new[] { "beach4@2x.jpg", "fog2@2x.jpg", "sky4@2x.jpg", "valley2@2x.jpg", "water11-harro@2x.jpg" })
            Assert.True(DebianPhotoFetcher.IsHeldOut(name), $"{name} is a held-out photo of the shipped model");
        foreach (var name in new[] { "badlands0@2x.jpg", "badlands1@2x.jpg", "canyon1@2x.jpg" })
            Assert.False(DebianPhotoFetcher.IsHeldOut(name), $"{name} trained the shipped model");
    }

    [Fact]
    public void PatchesAreReproducibleAndInRange()
    {
        var photos = PhotoCollection.Load(TestSupport.FixturePhotos, 32);
        var sampler = new PatchSampler(photos, 32, seed: 9, Augmentation.Light);
        var a = sampler.Batch(5, 8);
        Assert.Equal(a, sampler.Batch(5, 8));
        Assert.NotEqual(a, sampler.Batch(6, 8));
        Assert.All(a, v => Assert.InRange(v, -1f, 1f));
        Assert.True(a.Max() - a.Min() > 0.5f, "real photo patches have contrast");
    }

    [Fact]
    public void HueRotationKeepsEachPixelsGreyAndChromaLength()
    {
        var photos = PhotoCollection.Load(TestSupport.FixturePhotos, 32);
        var rotateOnly = Augmentation.None with { Name = "rotate", HueProbability = 1 };
        // The first patch of a batch is cut at the same place by both samplers: the colour draws come
        // after the crop's.
        var plain = new PatchSampler(photos, 32, seed: 4, Augmentation.None).Batch(2, 1);
        var rotated = new PatchSampler(photos, 32, seed: 4, rotateOnly).Batch(2, 1);
        int plane = 32 * 32, compared = 0;
        double moved = 0;
        for (int i = 0; i < plane; i++)
        {
            float[] p = [plain[i], plain[plane + i], plain[2 * plane + i]];
            float[] r = [rotated[i], rotated[plane + i], rotated[2 * plane + i]];
            if (r.Any(v => Math.Abs(v) > 0.999f)) continue;   // clamped: the rotation left the colour cube
            float greyP = p.Average(), greyR = r.Average();
            Assert.Equal(greyP, greyR, 1e-5);
            double lengthP = Math.Sqrt(p.Sum(v => (v - greyP) * (v - greyP)));
            double lengthR = Math.Sqrt(r.Sum(v => (v - greyR) * (v - greyR)));
            Assert.Equal(lengthP, lengthR, 1e-5);
            moved = Math.Max(moved, p.Zip(r).Max(t => Math.Abs(t.First - t.Second)));
            compared++;
        }
        Assert.True(compared > plane / 2, $"only {compared} pixels stayed inside the colour cube");
        Assert.True(moved > 0.02, $"the hues did not change (largest change {moved})");
    }

    [Fact]
    public void PsnrMatchesItsDefinition()
    {
        var a = new byte[] { 0, 100, 200, 255 };
        var b = new byte[] { 0, 110, 190, 255 };
        // MSE = (0 + 100 + 100 + 0) / 4 = 50.
        Assert.Equal(10 * Math.Log10(255.0 * 255.0 / 50), Psnr.FromBytes(a, b), 6);
        Assert.Equal(Psnr.Max, Psnr.FromBytes(a, a));
    }

    [Fact]
    public void PcaReconstructsItsTrainingSpanExactly()
    {
        TorchRuntime.EnsureInitialised();
        using var basis = TorchSharp.torch.randn(3, 20);
        using var samples = TorchSharp.torch.randn(50, 3).matmul(basis);      // rank-3 data
        using var pca = PcaBaseline.Fit(samples, 10);
        using var three = pca.Reconstruct(samples, 3);
        using var one = pca.Reconstruct(samples, 1);
        Assert.True((three - samples).abs().max().item<float>() < 1e-3);
        Assert.True((one - samples).abs().max().item<float>() > 0.1);
    }
}
