import EmotionPipeline
print("emotion-live")
