using TorchSharp;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Networks.Inference;

/// <summary>
/// A trained layer frozen for inference: its weights final, the normalisation after it folded in,
/// its kernels combined the way that runs fastest at the editor's batch of one. It owns its tensors —
/// detached, outside every dispose scope — and frees them when disposed.
/// </summary>
interface IFixedLayer : IDisposable
{
    Tensor Apply(Tensor input);
}

/// <summary>The tensors a fixed layer keeps.</summary>
static class Kept
{
    /// <summary>A copy of <paramref name="tensor"/> for a fixed layer: detached, contiguous, owned by the
    /// layer (not by any dispose scope).</summary>
    public static Tensor Copy(Tensor tensor) => tensor.detach().contiguous().DetachFromDisposeScope();

    /// <summary>Kernel (out × in × k × k) with a per-output-channel scale folded in.</summary>
    public static Tensor ScaleOutputs(Tensor kernel, Tensor? scale) =>
        scale is null ? kernel : kernel * scale.view(-1, 1, 1, 1);
}
