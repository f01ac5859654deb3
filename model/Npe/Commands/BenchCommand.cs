using System.CommandLine;
using System.Text.Json;
using NeuralPhotoEdit.Benchmarks;
using NeuralPhotoEdit.Networks;
using Spectre.Console;

namespace NeuralPhotoEdit.Cli.Commands;

static class BenchCommand
{
    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Command Create()
    {
        var bench = new Command("bench", "Measure speed. Prints JSON so results can be compared and recorded.");
        bench.Add(TrainBench());
        bench.Add(EditBench());
        bench.Add(LiveBench());
        var busy = new Command("busy", "Spin one core until killed (the load of `bench edit --background`).") { Hidden = true };
        busy.SetAction(_ => BusyProcesses.Spin());
        bench.Add(busy);
        return bench;
    }

    static Option<int> Background() => new("--background")
    {
        Description = "CPU-bound busy processes to run beside the benchmark (a busy PC).",
        DefaultValueFactory = _ => 0,
    };

    static Command EditBench()
    {
        var model = CommonOptions.Model();
        var device = CommonOptions.Device();
        var json = CommonOptions.Json();
        var background = Background();
        var peer = new Option<bool>("--peer") { Description = "Instead: time the latent step here and in PyTorch (Debian's python3-torch with " +
            "OpenBLAS) on the same decoder and weights, in one run, and print both and the ratio." };
        var command = new Command("edit", "Time the editor: step_ms, encode_ms, decode_ms and decode_gflops (64 px), edit_12mp_ms (4000×3000 " +
            "photo, 512² region, 20 steps), edit_wide_ms, edit_sky_12mp_ms (with and without context), peak_mb; step_plain_ms and " +
            "decode_plain_ms by the decoder's own layers.")
            { model, device, json, background, peer };
        command.SetAction(parse =>
        {
            int busyCount = parse.GetValue(background);
            if (busyCount is < 0 or > 64) throw new UserInputException("--background must be between 0 and 64.");
            using var busy = new BusyProcesses(busyCount);
            using var loaded = ModelFiles.ModelFile.Open(parse.GetValue(model), parse.GetValue(device)!);
            var dev = loaded.Device;
            if (parse.GetValue(peer))
            {
                var peerResult = parse.GetValue(json)
                    ? PeerBenchmark.Run(loaded)
                    : AnsiConsole.Status().Start("Timing the step here and in PyTorch…", _ => PeerBenchmark.Run(loaded));
                Console.WriteLine(JsonSerializer.Serialize(peerResult with { }, Json));
                return;
            }
            var result = parse.GetValue(json)
                ? EditBenchmark.Run(loaded.Network, ModelLabel.Of(loaded), dev)
                : AnsiConsole.Status().Start("Timing the editor…", _ => EditBenchmark.Run(loaded.Network, ModelLabel.Of(loaded), dev));
            Console.WriteLine(JsonSerializer.Serialize(result with { Background = busyCount }, Json));
        });
        return command;
    }

    static Command LiveBench()
    {
        var model = CommonOptions.Model();
        var device = CommonOptions.Device();
        var json = CommonOptions.Json();
        var background = Background();
        var size = new Option<string>("--photo-size") { Description = "The photo's size, WIDTHxHEIGHT.", DefaultValueFactory = _ => "4000x3000" };
        var command = new Command("live", "Time the live loop while a stroke is painted on a 12-MP photo: update_to_frame_ms, frames_per_second, " +
            "stroke_end_to_result_ms.")
            { model, device, json, background, size };
        command.SetAction(parse =>
        {
            int busyCount = parse.GetValue(background);
            if (busyCount is < 0 or > 64) throw new UserInputException("--background must be between 0 and 64.");
            using var busy = new BusyProcesses(busyCount);
            var parts = parse.GetValue(size)!.Split('x', 'X', '×');
            if (parts.Length != 2 || !int.TryParse(parts[0], out int width) || !int.TryParse(parts[1], out int height) || width is < 64 or > 20000
                || height is < 64 or > 20000)
                throw new UserInputException($"--photo-size must be WIDTHxHEIGHT, each 64 to 20000 (got '{parse.GetValue(size)}').");
            var run = () => LiveBenchmark.Run(parse.GetValue(model), parse.GetValue(device)!, width, height);
            var result = parse.GetValue(json) ? run() : AnsiConsole.Status().Start("Painting a stroke on a 12-MP photo…", _ => run());
            Console.WriteLine(JsonSerializer.Serialize(result with { Background = busyCount }, Json));
        });
        return command;
    }

    static Command TrainBench()
    {
        var config = new Option<string>("--config") { Description = "Named config or a config JSON file.", DefaultValueFactory = _ => "ian-cpu" };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => 64 };
        var steps = new Option<int>("--steps") { Description = "Timed steps (median reported).", DefaultValueFactory = _ => 20 };
        // The first steps of a process are slower (allocator and oneDNN kernel caches filling up).
        var warmup = new Option<int>("--warmup") { Description = "Untimed steps first.", DefaultValueFactory = _ => 10 };
        var device = CommonOptions.Device();
        var from = new Option<string?>("--from") { Description = "Start from this model file's weights (and config) instead of a fresh network." };
        var separate = new Option<bool>("--separate-batches") { Description = "Reconstructions and prior samples as separate batches (as npe train " +
            "--separate-batches)." };
        var command = new Command("train", "Time one training step of the full IAN objective (prints train_step_ms).")
            { config, batch, steps, warmup, device, from, separate };
        command.SetAction(parse =>
        {
            TorchRuntime.PrepareForTraining();
            var result = AnsiConsole.Status().Start("Timing training steps…", _ =>
                TrainingBenchmark.Run(IanConfig.FromNameOrFile(parse.GetValue(config)!), parse.GetValue(batch),
                    parse.GetValue(steps), parse.GetValue(warmup), Devices.Resolve(parse.GetValue(device)!), parse.GetValue(from),
                    parse.GetValue(separate)));
            Console.WriteLine(JsonSerializer.Serialize(result, Json));
        });
        return command;
    }
}
