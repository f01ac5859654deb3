using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using NeuralPhotoEdit.Studio;

namespace NeuralPhotoEdit.Cli.Commands;

/// <summary><c>npe studio</c>: the live editor in the browser (<see cref="StudioServer"/>).</summary>
static class StudioCommand
{
    public static Command Create()
    {
        var photo = new Argument<string?>("PHOTO") { Description = "Photo to open (default: the bundled demo photo).",
            Arity = ArgumentArity.ZeroOrOne };
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (default: a free one).", DefaultValueFactory = _ => 0 };
        port.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 0 or > 65535) result.AddError("--port must be from 0 (a free port) to 65535.");
        });
        var noBrowser = new Option<bool>("--no-browser") { Description = "Don't open the studio in the default browser; just print its address." };
        var model = CommonOptions.Model();
        var device = CommonOptions.Device();
        var command = new Command("studio", "Paint on a photo in the browser and watch it follow, live: a local studio on this machine (Ctrl+C " +
            "stops it).")
            { photo, port, noBrowser, model, device };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(photo) ?? Path.Combine(AppContext.BaseDirectory, "demo", EditCommand.DemoPhoto);
            if (string.IsNullOrWhiteSpace(path)) throw new UserInputException("PHOTO is empty: give a photo to open, or none for the demo photo.");
            using var stop = new CancellationTokenSource();
            ConsoleCancelEventHandler onCtrlC = (_, e) => { e.Cancel = true; stop.Cancel(); };
            Console.CancelKeyPress += onCtrlC;
            using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
            try
            {
                var options = new StudioOptions { PhotoPath = path, Port = parse.GetValue(port), ModelPath = parse.GetValue(model),
                    Device = parse.GetValue(device)! };
                var server = StartAsync(options).GetAwaiter().GetResult();
                Console.Out.WriteLine($"Studio: {server.Address}");
                Console.Out.Flush();
                if (!parse.GetValue(noBrowser)) OpenBrowser(server.Address);
                Console.Error.WriteLine("Open that address in a browser on this machine. Ctrl+C stops the studio.");
                server.WaitAsync(stop.Token).GetAwaiter().GetResult();
                server.DisposeAsync().AsTask().GetAwaiter().GetResult();
                Console.Error.WriteLine("Studio stopped.");
            }
            finally { Console.CancelKeyPress -= onCtrlC; }
        });
        return command;
    }

    static async Task<StudioServer> StartAsync(StudioOptions options)
    {
        try { return await StudioServer.StartAsync(options); }
        catch (IOException e) when (e.InnerException is System.Net.Sockets.SocketException || e.Message.Contains("address already in " +
            "use", StringComparison.OrdinalIgnoreCase))
        {
            throw new UserInputException($"Port {options.Port} on 127.0.0.1 is taken; choose another with --port, or leave it out for a free one.");
        }
    }

    /// <summary>Opens the address in the default browser; says so when there is none.</summary>
    static void OpenBrowser(Uri address)
    {
        try
        {
            var start = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? new ProcessStartInfo(address.AbsoluteUri) { UseShellExecute = true }
                : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? new ProcessStartInfo("open", [address.AbsoluteUri])
                : new ProcessStartInfo("xdg-open", [address.AbsoluteUri]);
            start.RedirectStandardOutput = start.RedirectStandardError = !start.UseShellExecute;
            using var process = Process.Start(start);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            Console.Error.WriteLine("No browser could be opened here; open the address above yourself.");
        }
    }
}
