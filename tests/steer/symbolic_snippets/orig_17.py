# information before format, for specific reasons
print('<<<42>>>')