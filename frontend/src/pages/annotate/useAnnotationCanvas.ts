// Mounts the drawing surface in the page's stage once the controller is ready, hands it to the
// controller, and takes it down with the page.
import { useEffect, useRef, type RefObject } from 'react';
import { AnnotationCanvas } from '../../canvas/AnnotationCanvas';

export interface CanvasUser { setCanvas(canvas: AnnotationCanvas | null): void }

export function useAnnotationCanvas(
  stageRef: RefObject<HTMLDivElement | null>, ready: boolean, controller: CanvasUser, label?: string,
): RefObject<AnnotationCanvas | null> {
  const canvasRef = useRef<AnnotationCanvas | null>(null);
  useEffect(() => {
    if (!stageRef.current || !ready) return;
    const canvas = new AnnotationCanvas(stageRef.current);
    if (label) canvas.element.setAttribute('aria-label', label);
    canvasRef.current = canvas;
    controller.setCanvas(canvas);
    return () => {
      controller.setCanvas(null);
      canvas.destroy();
      canvasRef.current = null;
    };
  }, [stageRef, ready, controller, label]);
  return canvasRef;
}
