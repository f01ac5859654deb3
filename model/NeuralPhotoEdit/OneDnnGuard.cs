using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace NeuralPhotoEdit;

/// <summary>
/// Makes sure libtorch's float32 convolutions compute what they should on this CPU.
/// <para>
/// Why: libtorch 2.10's oneDNN (mkldnn) convolutions return wrong values — off by 20–100 % of the
/// output's range, sometimes NaN — on some CPUs (seen on a 2-core AMD EPYC of family 26, Zen 5, with
/// AVX-512; not on the Xeon the project was first measured on): transposed convolutions (the decoder's
/// first layer at batch 1), input gradients, and forward convolutions of 24 input channels, so edits
/// there were NaN and training would learn from wrong gradients. Limiting oneDNN's instruction set or switching it off gives correct
/// values. libtorch has no C API for the switch and TorchSharp doesn't expose it, so this calls
/// <c>at::globalContext().setUserEnabledMkldnn(false)</c> by its exported C++ name.
/// </para>
/// The check compares float32 against float64 (which never goes through oneDNN) on layer shapes that
/// failed, once per process; oneDNN is switched off only when the check fails. Setting the environment
/// variable NPE_MKLDNN=0 switches it off unconditionally; NPE_MKLDNN=1 skips the check.
/// </summary>
static class OneDnnGuard
{
    /// <summary>Largest relative error of float32 against float64 that counts as correct.</summary>
    const double Tolerance = 1e-3;

    /// <summary>Whether libtorch's own transposed convolution computes the right values here (checked at
    /// start-up). When it doesn't, <see cref="Networks.TransposedConvolution"/> computes it as a forward
    /// convolution, which is slower at batch 1 (docs/speed.md).</summary>
    public static bool TransposedConvolutionIsCorrect { get; private set; } = true;

    public static void Apply()
    {
        // libtorch tries NNPACK for some convolutions; on a CPU NNPACK doesn't support that is a failed
        // initialisation and a warning on the user's console ("Could not initialize NNPACK"), and oneDNN or
        // libtorch's own kernels do the work anyway. It is off everywhere, so every CPU runs the same code.
        SwitchOff(Backend.Nnpack);
        string? choice = Environment.GetEnvironmentVariable("NPE_MKLDNN");
        if (choice == "0") Disable();
        else if (choice != "1" && WorstRelativeError() >= Tolerance)
        {
            Disable();
            double after = WorstRelativeError();
            if (after >= Tolerance)
                throw new InvalidOperationException(
                    $"libtorch computes wrong convolutions on this CPU (relative error {after:G2} even without oneDNN); results would be garbage.");
        }
        TransposedConvolutionIsCorrect = WorstTransposedError() < Tolerance;
    }

    /// <summary>Largest error of float32 transposed convolutions relative to float64, over shapes seen to fail.</summary>
    static double WorstTransposedError()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var generator = new Generator(1234);
        double worst = 0;
        foreach (var (inChannels, outChannels, kernel, stride, padding, side) in TransposedShapes)
        {
            var input = randn([1, inChannels, side, side], dtype: ScalarType.Float64, generator: generator);
            var weight = randn([inChannels, outChannels, kernel, kernel], dtype: ScalarType.Float64, generator: generator);
            var exact = nn.functional.conv_transpose2d(input, weight, strides: [stride, stride], padding: [padding, padding]);
            var single = nn.functional.conv_transpose2d(input.to(ScalarType.Float32), weight.to(ScalarType.Float32),
                                                        strides: [stride, stride], padding: [padding, padding]);
            worst = Math.Max(worst, RelativeError(single, exact));
        }
        return worst;
    }

    /// <summary>Largest |single − exact| over the largest |exact|; NaN anywhere counts as infinitely wrong.</summary>
    static double RelativeError(Tensor single, Tensor exact)
    {
        double error = (single.to(ScalarType.Float64) - exact).abs().max().item<double>() / exact.abs().max().item<double>();
        return double.IsNaN(error) ? double.PositiveInfinity : error;
    }

    static readonly (long In, long Out, long Kernel, long Stride, long Padding, long Side)[] TransposedShapes =
    [
        (96, 48, 4, 2, 1, 4),   // the transposed decoder's first upsampling (wrong on Zen 5 with oneDNN)
        (48, 24, 4, 2, 1, 8),
        (24, 8, 4, 2, 1, 16),
        (8, 4, 4, 2, 1, 32),
    ];

    /// <summary>Largest error of float32 against float64 over the kernels the networks use and layer
    /// shapes seen to fail: forward convolutions, and both gradients of a stride-2 convolution (the
    /// trunk's). Transposed convolutions and the input gradients of stride-1 layers are computed as
    /// forward convolutions (<see cref="Networks.TransposedConvolution"/>, <see cref="Networks.FastConv2d"/>),
    /// because oneDNN's kernels for those are the ones most often wrong.</summary>
    static double WorstRelativeError()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(1234);
        double worst = 0;
        foreach (var (batch, inChannels, outChannels, kernel, stride, padding, side) in Shapes)
        {
            var input = randn([batch, inChannels, side, side], dtype: ScalarType.Float64, generator: generator);
            var weight = randn([outChannels, inChannels, kernel, kernel], dtype: ScalarType.Float64, generator: generator);
            var outputGradient = randn([batch, outChannels, (side + 2 * padding - kernel) / stride + 1, (side + 2 * padding - kernel) / stride + 1],
                                       dtype: ScalarType.Float64, generator: generator);
            var exact = ConvolutionAndGradients(input, weight, outputGradient, stride, padding);
            var single = ConvolutionAndGradients(input.to(ScalarType.Float32), weight.to(ScalarType.Float32),
                                                 outputGradient.to(ScalarType.Float32), stride, padding);
            for (int i = 0; i < exact.Length; i++) worst = Math.Max(worst, RelativeError(single[i], exact[i]));
        }
        return worst;
    }

    /// <summary>The output, and for stride 2 also the input and weight gradients.</summary>
    static Tensor[] ConvolutionAndGradients(Tensor input, Tensor weight, Tensor outputGradient, long stride, long padding)
    {
        if (stride == 1)
        {
            using var _ = no_grad();
            return [nn.functional.conv2d(input, weight, padding: [padding, padding])];
        }
        input.requires_grad_(true);
        weight.requires_grad_(true);
        var output = nn.functional.conv2d(input, weight, strides: [stride, stride], padding: [padding, padding]);
        var gradients = autograd.grad([output], [input, weight], [outputGradient]);
        return [output.detach(), gradients[0], gradients[1]];
    }

    static readonly (long Batch, long In, long Out, long Kernel, long Stride, long Padding, long Side)[] Shapes =
    [
        (1, 24, 8, 3, 1, 1, 32),     // a decoder layer at 32 px (wrong under AVX-512 on Zen 5)
        (1, 96, 48, 3, 1, 1, 8),     // the resize decoder's upsampling convolutions at batch 1 (the default model's)
        (1, 48, 24, 3, 1, 1, 16),
        (1, 8, 4, 3, 1, 1, 64),
        (16, 24, 24, 5, 1, 2, 16),   // an MDC block's combined kernel (NaN under AVX-512 on Zen 5)
        (4, 6, 2, 9, 1, 4, 64),      // an RGB-Beta layer
        (16, 32, 64, 4, 2, 1, 32),   // a trunk layer, both gradients
    ];

    /// <summary>Sets oneDNN's ONEDNN_MAX_CPU_ISA unless the user set it. oneDNN reads it once, at its
    /// first use, from the native environment (which .NET's Environment.SetEnvironmentVariable does
    /// not change on Unix, hence libc's setenv).</summary>
    public static void LimitInstructionSet(string isa) => NativeEnvironment.SetIfUnset("ONEDNN_MAX_CPU_ISA", isa);

    static void Disable()
    {
        if (!SwitchOff(Backend.OneDnn))
            throw new InvalidOperationException(
                "libtorch's oneDNN convolutions are wrong on this CPU and could not be switched off; results would be garbage.");
    }

    enum Backend { OneDnn, Nnpack }

    /// <summary>Switches one of libtorch's convolution back ends off; false when the library doesn't
    /// export the switch.</summary>
    static bool SwitchOff(Backend backend)
    {
        var (library, contextName, mkldnnName, nnpackName) = Exports();
        if (!NativeLibrary.TryLoad(library, typeof(OneDnnGuard).Assembly, null, out var handle)
            || !NativeLibrary.TryGetExport(handle, contextName, out var globalContext)
            || !NativeLibrary.TryGetExport(handle, backend == Backend.Nnpack ? nnpackName : mkldnnName, out var setter))
            return false;
        unsafe
        {
            var context = ((delegate* unmanaged<IntPtr>)globalContext)();
            ((delegate* unmanaged<IntPtr, byte, void>)setter)(context, 0);
        }
        return true;
    }

    /// <summary>The library and the functions' exported (mangled) names on this platform.</summary>
    static (string Library, string GlobalContext, string SetUserEnabledMkldnn, string SetUserEnabledNnpack) Exports() =>
        OperatingSystem.IsWindows()
            ? ("torch_cpu", "?globalContext@at@@YAAEAVContext@1@XZ", "?setUserEnabledMkldnn@Context@at@@QEAAX_N@Z",
               "?setUserEnabledNNPACK@Context@at@@QEAAX_N@Z")
            : ("libtorch_cpu", "_ZN2at13globalContextEv", "_ZN2at7Context20setUserEnabledMkldnnEb",
               "_ZN2at7Context20setUserEnabledNNPACKEb");
}
