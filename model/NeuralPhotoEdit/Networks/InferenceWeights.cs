using TorchSharp;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Networks;

/// <summary>
/// A layer that can prepare, once per loaded model, the weights its inference uses — combined MDC
/// kernels, a following batch normalisation folded in — so that editing (thousands of decodes with
/// the same weights) doesn't rebuild them on every pass. Training never uses them: the network
/// drops them when it is put back into training mode (<see cref="IntrospectiveAdversarialNetwork.train"/>).
/// </summary>
public interface IPreparesInference
{
    /// <summary>Prepares the inference weights from the current ones (eval mode), folding in the
    /// batch normalisation y = scale·x + shift that follows the layer when one is given.</summary>
    void PrepareInference((Tensor Scale, Tensor Shift)? followingNorm = null);

    /// <summary>Drops the prepared weights (the weights are about to change).</summary>
    void DropInference();
}

/// <summary>Helpers for the prepared tensors: they outlive every dispose scope and hold no gradient.</summary>
public static class InferenceWeights
{
    /// <summary>A prepared tensor: detached, contiguous, owned by the layer (not by any dispose scope).</summary>
    public static Tensor Keep(Tensor tensor) => tensor.detach().contiguous().DetachFromDisposeScope();

    /// <summary>Kernel (out × in × k × k) with an output-channel scale folded in.</summary>
    public static Tensor ScaleOutputs(Tensor kernel, Tensor? scale) =>
        scale is null ? kernel : kernel * scale.view(-1, 1, 1, 1);

    public static void Drop(ref Tensor? tensor)
    {
        tensor?.Dispose();
        tensor = null;
    }
}
