using System.Text.Json;
using NeuralPhotoEdit.Networks;

namespace NeuralPhotoEdit.Tests;

/// <summary>
/// The PyTorch peer of <c>npe bench edit --peer</c> builds the decoder from a model file's config. It can't
/// run here without Debian's python3-torch, so this keeps its network description in step with the engine's:
/// every config key that shapes the decoder, and every value of the decoder's options, is one the script reads.
/// </summary>
public class PeerScriptTests
{
    static readonly string Script = File.ReadAllText(Path.Combine(TestSupport.RepositoryRoot(),
        "model", "NeuralPhotoEdit.Toolkit", "Benchmarks", "Peer", "pytorch_step.py"));

    /// <summary>Keys that don't change what the decoder computes from a code: the discriminator's and encoder's,
    /// and sizes the weights' shapes already give (image size, output features).</summary>
    static readonly string[] NotTheDecoders =
        ["name", "image_size", "trunk_widths", "trunk_kernel", "encoder_hidden", "minibatch_kernels", "minibatch_kernel_dims",
         "discriminator_classes", "output_features"];

    [Fact]
    public void ThePeerReadsEveryConfigKeyThatShapesTheDecoder()
    {
        using var json = JsonDocument.Parse(IanConfig.Paper.ToJson());
        var keys = json.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("decoder_padding", keys);   // the serialised names are the ones model files carry
        foreach (var key in keys.Except(NotTheDecoders))
            Assert.True(Script.Contains($"\"{key}\"", StringComparison.Ordinal), $"pytorch_step.py ignores the config key \"{key}\"");
        foreach (var value in new[] { IanConfig.TransposedUpsampling, IanConfig.ResizeUpsampling, IanConfig.BilinearUpsampling,
            IanConfig.ReflectPadding, IanConfig.ZeroPadding })
            Assert.True(Script.Contains($"\"{value}\"", StringComparison.Ordinal), $"pytorch_step.py doesn't know the option value \"{value}\"");
    }
}
