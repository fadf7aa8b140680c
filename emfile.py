import socket,time,subprocess,sys,os
P=int(sys.argv[1]); pid=sys.argv[2]
ss=[]
for i in range(300):
    s=socket.create_connection(('127.0.0.1',P)); ss.append(s)
time.sleep(1)
print('server fds', len(os.listdir('/proc/%s/fd'%pid)))
print('during:', subprocess.run(['curl','-s','-m','5','-o','/dev/null','-w','%{http_code}','http://127.0.0.1:%d/a.txt'%P],capture_output=True,text=True).stdout)
for s in ss: s.close()
time.sleep(2)
print('after close server fds', len(os.listdir('/proc/%s/fd'%pid)))
print('after:', subprocess.run(['curl','-s','-m','5','-o','/dev/null','-w','%{http_code}','http://127.0.0.1:%d/a.txt'%P],capture_output=True,text=True).stdout)
print('propfind after:', subprocess.run(['curl','-s','-m','5','-X','PROPFIND','-H','Depth: 1','-o','/dev/null','-w','%{http_code}','http://127.0.0.1:%d/'%P],capture_output=True,text=True).stdout)
