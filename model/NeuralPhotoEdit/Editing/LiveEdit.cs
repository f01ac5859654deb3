namespace NeuralPhotoEdit.Editing;

/// <summary>
/// The live loop of the paper's editor, for a front end that paints while the pointer moves: while a
/// stroke grows (<see cref="Update"/>), keep taking latent steps toward the strokes so far and hand each
/// preview frame to <c>show</c> (<see cref="EditService.Preview"/>), until the strokes have had
/// <see cref="EditSettings.Steps"/> steps since they last changed; when the stroke ends
/// (<see cref="FinishAsync"/>), stop and render the full result exactly as <see cref="EditService.Run"/>
/// does for the same request. A frame is made only after the previous one was shown, from the newest
/// input, so frames never queue up behind each other and stale input is never rendered. Every other
/// request to the service goes through <see cref="RunAsync"/>: the service sees one request at a time.
/// </summary>
public sealed class LiveEdit : IDisposable
{
    readonly EditService _service;
    readonly Func<EditRequest, EditPreview, Task> _show;
    readonly SemaphoreSlim _gate = new(1, 1);   // one request at a time inside the service
    readonly Lock _sync = new();
    EditRequest? _pending;                       // the newest input of the stroke being painted
    int _stepsSinceInput;
    Task _loop = Task.CompletedTask;
    CancellationTokenSource _frames = new();

    /// <param name="service">The engine; this object owns access to it while it lives.</param>
    /// <param name="show">Shows a frame of the request it was made from (may be slow: the next frame waits for it).</param>
    /// <param name="stepsPerFrame">Latent steps between frames.</param>
    /// <param name="previewSide">A frame's longer side at most.</param>
    public LiveEdit(EditService service, Func<EditRequest, EditPreview, Task> show, int stepsPerFrame = DefaultStepsPerFrame,
                    int previewSide = DefaultPreviewSide)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stepsPerFrame, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(previewSide, 1);
        (_service, _show, StepsPerFrame, PreviewSide) = (service, show, stepsPerFrame, previewSide);
    }

    /// <summary>Latent steps between two frames: one, so the photo answers the pointer at once; the
    /// strokes' whole pull (<see cref="EditSettings.Steps"/> steps) arrives over the next frames.</summary>
    public const int DefaultStepsPerFrame = 1;

    /// <summary>A frame's longer side: a little finer than the preview's grid
    /// (<see cref="EditService.PreviewGridSide"/>), since each frame pixel takes the photo's own colour
    /// through the change, and a frame costs in proportion to its pixels.</summary>
    public const int DefaultPreviewSide = 256;

    public int StepsPerFrame { get; }
    public int PreviewSide { get; }

    /// <summary>The strokes so far (the whole request, as <see cref="EditService.Run"/> takes it): the loop
    /// steps toward them from the next frame on.</summary>
    public void Update(EditRequest request)
    {
        lock (_sync)
        {
            _pending = request;
            _stepsSinceInput = 0;
            if (!_loop.IsCompleted) return;
            _frames = new CancellationTokenSource();
            _loop = Task.Run(() => LoopAsync(_frames.Token));
        }
    }

    async Task LoopAsync(CancellationToken cancellation)
    {
        while (!cancellation.IsCancellationRequested)
        {
            EditRequest request;
            bool continuing;
            lock (_sync)
            {
                if (_pending is null || _stepsSinceInput >= _pending.Settings.Steps) return;
                request = _pending;
                continuing = _stepsSinceInput > 0;   // the same strokes as the last frame: the same descent
                _stepsSinceInput += StepsPerFrame;
            }
            EditPreview frame;
            await _gate.WaitAsync(cancellation).ConfigureAwait(false);
            try { frame = _service.Preview(request, StepsPerFrame, PreviewSide, continuing, cancellation); }
            catch (OperationCanceledException) { return; }
            finally { _gate.Release(); }
            try { await _show(request, frame).ConfigureAwait(false); }
            catch (Exception) when (cancellation.IsCancellationRequested) { return; }
            if (frame.Problem is not null) lock (_sync) if (ReferenceEquals(_pending, request)) _pending = null;
        }
    }

    /// <summary>Stops the previews and renders <paramref name="request"/> in full: the same result as
    /// <see cref="EditService.Run"/> for it.</summary>
    public Task<EditOutcome> FinishAsync(EditRequest request, CancellationToken cancellation = default) =>
        RunAsync(service => service.Run(request, cancellation), cancellation);

    /// <summary>Stops the previews and runs <paramref name="work"/> on the service, alone.</summary>
    public async Task<T> RunAsync<T>(Func<EditService, T> work, CancellationToken cancellation = default)
    {
        await StopAsync().ConfigureAwait(false);
        await _gate.WaitAsync(cancellation).ConfigureAwait(false);
        try { return await Task.Run(() => work(_service), cancellation).ConfigureAwait(false); }
        finally { _gate.Release(); }
    }

    /// <summary>Ends the live loop (the frame being made is dropped).</summary>
    public async Task StopAsync()
    {
        Task loop;
        lock (_sync)
        {
            _pending = null;
            _frames.Cancel();
            loop = _loop;
        }
        try { await loop.ConfigureAwait(false); }
        catch (OperationCanceledException) { }
    }

    public void Dispose()
    {
        StopAsync().GetAwaiter().GetResult();
        _frames.Dispose();
        _gate.Dispose();
    }
}
