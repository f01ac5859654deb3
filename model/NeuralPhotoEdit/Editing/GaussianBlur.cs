using TorchSharp;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Editing;

/// <summary>Separable Gaussian blur of N×C×H×W tensors with edge replication (no dark borders).</summary>
public static class GaussianBlur
{
    public static Tensor Apply(Tensor image, double sigma)
    {
        if (sigma <= 0) return image.alias();
        int radius = Math.Max(1, (int)Math.Ceiling(3 * sigma));
        var weights = new float[2 * radius + 1];
        for (int i = -radius; i <= radius; i++) weights[i + radius] = (float)Math.Exp(-i * i / (2 * sigma * sigma));
        float total = weights.Sum();
        for (int i = 0; i < weights.Length; i++) weights[i] /= total;

        using var scope = NewDisposeScope();
        long channels = image.shape[1];
        var kernel = tensor(weights, device: image.device);
        var horizontal = kernel.view(1, 1, 1, -1).expand(channels, 1, 1, -1);
        var vertical = kernel.view(1, 1, -1, 1).expand(channels, 1, -1, 1);
        var padded = nn.functional.pad(image, [radius, radius, radius, radius], PaddingModes.Replicate);
        var blurred = nn.functional.conv2d(padded, horizontal, groups: channels);
        blurred = nn.functional.conv2d(blurred, vertical, groups: channels);
        return blurred.MoveToOuterDisposeScope();
    }
}
