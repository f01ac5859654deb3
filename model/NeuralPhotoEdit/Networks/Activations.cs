using static TorchSharp.torch;

namespace NeuralPhotoEdit.Networks;

static class Activations
{
    /// <summary>The paper's LeakyReLU slope, used throughout the trunk and the MDC blocks.</summary>
    public const double LeakySlope = 0.2;

    public static Tensor LeakyRelu(Tensor x) => x.leaky_relu(Scalars.Of(LeakySlope));
}
